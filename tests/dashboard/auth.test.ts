import { describe, expect, it } from 'vitest';
import { createGate, formatSession, newSession, parseSession } from '../../src/dashboard/auth.js';

describe('the dashboard gate', () => {
  const now = Date.UTC(2026, 10, 30, 12, 0, 0);

  it('accepts the password and nothing else, and refuses for the rest of the minute after five wrong ones', () => {
    const gate = createGate('correct horse');
    expect(gate.canLogIn).toBe(true);
    expect(gate.verify('correct horse', now)).toBe(true);
    expect(gate.verify('correct hors', now)).toBe(false);
    for (let i = 0; i < 4; i++) gate.verify('guess', now);
    expect(gate.verify('correct horse', now + 1000)).toBe(false);
    expect(gate.verify('correct horse', now + 60_000)).toBe(true);
  });

  it('cannot be unlocked without a password', () => {
    const gate = createGate(null);
    expect(gate.canLogIn).toBe(false);
    expect(gate.verify('', now)).toBe(false);
  });

  it('binds CSRF tokens to their session', () => {
    const gate = createGate('x');
    const [a, b] = [newSession(), newSession()];
    expect(gate.checkCsrf(a, gate.csrfToken(a))).toBe(true);
    expect(gate.checkCsrf(a, gate.csrfToken(b))).toBe(false);
    expect(gate.checkCsrf(a, undefined)).toBe(false);
    expect(createGate('x').checkCsrf(a, gate.csrfToken(a))).toBe(false);
  });

  it('reads back the sessions it writes, and nothing malformed', () => {
    const session = { ...newSession(), loggedInUntil: now };
    expect(parseSession(formatSession(session))).toEqual(session);
    expect(parseSession('short.1')).toBeNull();
    expect(parseSession(`${session.id}.soon`)).toBeNull();
  });
});
