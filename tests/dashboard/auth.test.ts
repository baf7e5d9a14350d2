import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createDashboardApp, doneNotice, type DashboardDeps } from '../../src/dashboard/app.js';
import { feedsPage, reasonOf } from '../../src/dashboard/feeds-view.js';
import { queuesPage } from '../../src/dashboard/status-view.js';
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

describe('the dashboard app’s logins', () => {
  const PASSWORD = 'correct horse';
  // Only the gate and the log are reached: a refused change stops before any page or store is read.
  const app = createDashboardApp({ gate: createGate(PASSWORD), log: pino({ level: 'silent' }) } as unknown as DashboardDeps);
  const cookieOf = (response: Response) => /herald_session=[^;]+/.exec(response.headers.get('set-cookie') ?? '')![0];
  const csrfOf = async (response: Response) => /name="_csrf" value="([^"]+)"/.exec(await response.text())![1]!;
  const post = (path: string, cookie: string, form: Record<string, string>) =>
    app.request(path, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

  it('ends a session at logout, even for a copy of its cookie', async () => {
    const first = await app.request('/login');
    const visitor = cookieOf(first);
    const loggedIn = await post('/login', visitor, { _csrf: await csrfOf(first), password: PASSWORD });
    expect(loggedIn.status).toBe(303);
    const copied = cookieOf(loggedIn);
    const csrf = await csrfOf(await app.request('/login', { headers: { cookie: copied } }));
    expect((await post('/logout', copied, { _csrf: csrf })).status).toBe(303);
    const replayed = await post('/feeds/harbour/pause', copied, { _csrf: csrf });
    expect(replayed.status).toBe(401);
    expect(await replayed.text()).toContain('Log in to make changes.');
  });
});

describe('the dashboard’s notices after a change', () => {
  it('come from the codes the server knows, never from text in the link', () => {
    expect(doneNotice('Session expired: log in again at http://evil.example')).toBeNull();
    expect(doneNotice('added', 'harbour')).toEqual({ text: 'Added harbour.', error: false });
    expect(doneNotice('removed', 'log in at http://evil.example')).toEqual({ text: 'Removed.', error: false });
    expect(doneNotice('approved')).toEqual({ text: 'Approved: it goes out now.', error: false });
    expect(doneNotice('toString')).toBeNull();
  });
});

describe('the add form refilled after a refusal', () => {
  const frame = { path: '/', loggedIn: true, canLogIn: true, csrf: 'token', notice: { text: 'Cannot add that feed.', error: true } };
  const refilled = (url: string) => String(feedsPage([], frame, 0, { url, id: 'news', every: '5m', channel: '111111111111111111' }));

  it('never shows credentials typed in the address, and keeps an address without them', () => {
    for (const url of ['http://reader:hunter2@example.com/feed.xml', 'https://example.com/feed.xml?token=s3cr3t-query-token']) {
      const page = refilled(url);
      expect(page).not.toMatch(/hunter2|s3cr3t-query-token/);
      expect(page).toContain('value="news"');
    }
    expect(refilled('https://example.com/feed.xml')).toContain('value="https://example.com/feed.xml"');
  });
});

describe('the queues page', () => {
  it('does not call the queues empty while articles are held for approval, and links the desk', () => {
    const frame = { path: '/queues', loggedIn: false, canLogIn: true, csrf: 'token', notice: null };
    const counts = { held: 3, pending: 0, sending: 0, sent: 2, failed: 0, skipped: 0, folded: 0 };
    const text = String(queuesPage([], counts, [], frame, 0, String));
    expect(text).toContain('3 held for approval (<a href="/desk">desk</a>)');
    expect(text).toContain('No queue has a post due; 3 held for approval wait on the desk.');
    expect(text).not.toContain('Every queue is empty');
    expect(String(queuesPage([], { ...counts, held: 0 }, [], frame, 0, String))).toContain('Every queue is empty.');
  });
});

describe('a delivery\'s reason on a page', () => {
  it('names Discord members and channels in words, not as Discord markup', () => {
    const delivery = { id: 1, articleId: 'a', target: 'x', status: 'skipped' as const, attempts: 0, nextAttemptAt: 0, lastError: 'skipped on the approval desk by <@700000000000000001> in <#123>', remoteId: null, unknownOutcome: false, options: null };
    expect(reasonOf(delivery)).toBe('skipped on the approval desk by Discord member 700000000000000001 in channel 123');
  });
});
