import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** How long a login lasts: 12 hours, in ms. */
const LOGIN_MS = 12 * 3_600_000;
/** Failed logins allowed per minute (all visitors together) before the form refuses for the rest of that minute. */
const FAILURES_PER_MINUTE = 5;

/** A visitor's session, as its signed cookie carries it. */
export interface Session {
  /** Random; the CSRF token is derived from it, and it changes at login and logout (no fixation). */
  id: string;
  /** Logged in until this time (ms since the epoch); 0 when not logged in. */
  loggedInUntil: number;
}

/**
 * The dashboard's lock: the password from HERALD_DASHBOARD_PASSWORD kept only as a salted scrypt
 * hash (RFC 7914), a random per-process key that signs session cookies (HMAC-SHA256), and CSRF
 * tokens bound to the session (OWASP's synchronizer token pattern). Logins are also kept server-side,
 * in memory, so logging out ends a session even for a copied cookie (OWASP Session Management Cheat Sheet).
 */
export interface Gate {
  /** False when no password is set: nothing can be changed from the dashboard. */
  readonly canLogIn: boolean;
  /** The key that signs session cookies. */
  readonly cookieKey: string;
  /** Checks a password in constant time; false too while more than 5 logins failed this minute. `now` in ms since the epoch. */
  verify(password: string, now: number): boolean;
  /** The CSRF token of a session, for its forms. */
  csrfToken(session: Session): string;
  /** True when `token` is the session's CSRF token (constant time). */
  checkCsrf(session: Session, token: unknown): boolean;
  /** A new session, logged in for LOGIN_MS from `now` (ms since the epoch), recorded as open. */
  logIn(now: number): Session;
  /** Ends a session: its cookie, even a copy of it, no longer logs anyone in. */
  logOut(session: Session): void;
  /** True while `session` was opened by logIn of this gate, not logged out, and not expired at `now` (ms since the epoch). */
  isLoggedIn(session: Session, now: number): boolean;
}

/** A new session, not logged in. */
export function newSession(): Session {
  return { id: randomBytes(18).toString('base64url'), loggedInUntil: 0 };
}

/** A session as its cookie value carries it ("<id>.<logged in until>"), or null when malformed. */
export function parseSession(value: string): Session | null {
  const match = /^([A-Za-z0-9_-]{24})\.(\d{1,15})$/.exec(value);
  return match ? { id: match[1]!, loggedInUntil: Number(match[2]) } : null;
}

/** The cookie value of a session (see parseSession). */
export function formatSession(session: Session): string {
  return `${session.id}.${session.loggedInUntil}`;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The gate for `password` (null: read-only dashboard). The password itself is not kept. */
export function createGate(password: string | null): Gate {
  const salt = randomBytes(16);
  const hash = password === null ? null : scryptSync(password, salt, 32);
  const key = randomBytes(32);
  let failures: { minute: number; count: number } = { minute: 0, count: 0 };
  // Open logins, by session id → logged in until (ms since the epoch). In memory: a restart ends every login (the cookie key is new too).
  const open = new Map<string, number>();
  const csrfToken = (session: Session) => createHmac('sha256', key).update(`csrf:${session.id}`).digest('base64url');
  return {
    canLogIn: hash !== null,
    cookieKey: key.toString('base64url'),
    verify(candidate, now) {
      if (hash === null) return false;
      const minute = Math.floor(now / 60_000);
      if (failures.minute !== minute) failures = { minute, count: 0 };
      if (failures.count >= FAILURES_PER_MINUTE) return false;
      const ok = sameBytes(scryptSync(candidate, salt, 32), hash);
      if (!ok) failures.count += 1;
      return ok;
    },
    csrfToken,
    checkCsrf: (session, token) => typeof token === 'string' && sameBytes(Buffer.from(token), Buffer.from(csrfToken(session))),
    logIn(now) {
      for (const [id, until] of open) if (until <= now) open.delete(id);
      const session = { ...newSession(), loggedInUntil: now + LOGIN_MS };
      open.set(session.id, session.loggedInUntil);
      return session;
    },
    logOut(session) {
      open.delete(session.id);
    },
    isLoggedIn: (session, now) => (open.get(session.id) ?? 0) > now && session.loggedInUntil > now,
  };
}
