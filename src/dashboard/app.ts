import { Hono, type Context } from 'hono';
import { getSignedCookie, setSignedCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import { z } from 'zod';
import { redactUrlSecrets } from '../ops/redact.js';
import { changeFeed, checkNewFeed, readFeed, type FeedControls } from '../targets/discord/commands/feeds.js';
import { MAX_INPUT } from '../targets/discord/approval.js';
import { CommandError } from '../targets/refusal.js';
import { cutText } from '../text/cut.js';
import type { FeedLimits } from '../sources/fetch.js';
import type { HttpClient } from '../sources/http.js';
import type { PageReach } from '../articles/article.js';
import { formatSession, newSession, parseSession, type Gate, type Session } from './auth.js';
import { deskItem, deskItems, feedItems, feedRows, heldPosts, nextPosts, queueRows, workerRows, describeTarget, type DashboardSources } from './data.js';
import { deskArticlePage, deskDecision, deskPage } from './desk-view.js';
import { feedPage, feedsPage, type AddForm } from './feeds-view.js';
import { STYLE, type Frame } from './layout.js';
import { loginPage, previewPage, queuesPage, usagePage, workersPage } from './status-view.js';
import type { Config } from '../config/config.js';
import { feedId } from '../config/schema.js';

/** Everything the dashboard's pages read and the forms change. */
export interface DashboardDeps extends DashboardSources {
  /** The SSRF-guarded client, public addresses only: a feed added on the page is fetched first, within `reach`, as /feeds add does. */
  http: HttpClient;
  /** How far a URL typed in the form may reach (HERALD_ALLOW_PRIVATE_COMMANDS, as for slash commands). */
  reach: PageReach;
  feedLimits: FeedLimits;
  config(): Config;
  gate: Gate;
  log: Logger;
  now?: () => number;
}

const COOKIE = 'herald_session';
const CHANNEL_ID = /^\d{17,20}$/;
const ACTIONS = ['pause', 'resume', 'remove'] as const;
/** The dashboard's own controls, as the feed form's refusals name them: its field labels and the Feeds page. */
const DASHBOARD_CONTROLS: FeedControls = { field: { id: 'Id', every: 'Check every' }, pickId: 'type another in the Id field', list: 'The Feeds page', added: 'feeds added on the dashboard or from Discord' };
const DESK_ACTIONS = ['approve', 'skip', 'edit'] as const;
/** Who decides on the dashboard, as the store records it (approvals.decided_by): one password, one decider. */
const DASHBOARD_DECIDER = 'dashboard';
/** How many waiting articles the desk page lists, oldest first. */
const DESK_PAGE_SIZE = 50;
/** The desk's Edit form, with the limits of Discord's Edit modal (targets/discord/approval.ts). */
const deskEditForm = z.object({
  summary: z.string().max(MAX_INPUT, `The summary may hold at most ${MAX_INPUT} characters.`),
  xText: z.string().max(MAX_INPUT, `The X post may hold at most ${MAX_INPUT} characters.`).optional(),
});

type Vars = { Variables: { session: Session } };

/**
 * The dashboard as a hono app: read-only pages for everyone who can reach it; adding, pausing,
 * resuming and removing feeds after logging in, each form checked against its session's CSRF
 * token. No page shows a secret: feed addresses and errors go through redactUrlSecrets, and
 * nothing else from the environment is shown.
 */
export function createDashboardApp(deps: DashboardDeps): Hono<Vars> {
  const now = deps.now ?? Date.now;
  const app = new Hono<Vars>();
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'https:', 'data:'], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
      referrerPolicy: 'same-origin',
    }),
  );
  const saveSession = (c: Context, session: Session) =>
    setSignedCookie(c, COOKIE, formatSession(session), deps.gate.cookieKey, { httpOnly: true, sameSite: 'Strict', path: '/', secure: new URL(c.req.url).protocol === 'https:' });
  app.use(async (c, next) => {
    const stored = await getSignedCookie(c, deps.gate.cookieKey, COOKIE);
    let session = stored ? parseSession(stored) : null;
    if (!session) {
      session = newSession();
      await saveSession(c, session);
    }
    c.set('session', session);
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      if (!deps.gate.checkCsrf(session, form._csrf)) return c.html(loginPage({ ...frameOf(c), notice: { text: 'This form has expired; please try again.', error: true } }), 403);
      if (c.req.path !== '/login' && !loggedIn(session)) return c.html(loginPage({ ...frameOf(c), notice: { text: 'Log in to make changes.', error: true } }), 401);
    }
    await next();
  });
  const loggedIn = (session: Session) => deps.gate.isLoggedIn(session, now());
  const frameOf = (c: Context<Vars>, notice: Frame['notice'] = null): Frame => ({
    path: c.req.path,
    loggedIn: loggedIn(c.get('session')),
    canLogIn: deps.gate.canLogIn,
    csrf: deps.gate.csrfToken(c.get('session')),
    notice,
  });

  app.get('/style.css', (c) => c.body(STYLE, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' }));
  app.get('/', async (c) => {
    return c.html(feedsPage(await feedRows(deps, now()), frameOf(c, doneNotice(c.req.query('done'), c.req.query('feed'))), now()));
  });
  app.get('/feeds/:id', async (c) => {
    const row = (await feedRows(deps, now())).find((candidate) => candidate.feed.id === c.req.param('id'));
    if (!row) return c.html(feedsPage(await feedRows(deps, now()), frameOf(c, { text: 'There is no such feed.', error: true }), now()), 404);
    return c.html(feedPage(row, await feedItems(deps, row.feed.id, 25), frameOf(c), now()));
  });
  app.get('/queues', async (c) => {
    const [rows, counts, failed] = await Promise.all([queueRows(deps), deps.store.deliveryCounts(), deps.store.failedDeliveries(10)]);
    return c.html(queuesPage(rows, counts, failed, frameOf(c), now(), (target) => describeTarget(deps.kinds, target)));
  });
  app.get('/usage', async (c) => c.html(usagePage(await deps.usage(now()), frameOf(c))));
  app.get('/workers', (c) => c.html(workersPage(workerRows(deps), frameOf(c))));
  app.get('/preview', async (c) => c.html(previewPage(await nextPosts(deps, deps.config(), 3), await heldPosts(deps, now()), frameOf(c))));
  app.get('/login', (c) => c.html(loginPage(frameOf(c))));
  app.get('/desk', async (c) => c.html(deskPage(await deskItems(deps, deps.config(), DESK_PAGE_SIZE), frameOf(c), now())));
  app.get('/desk/:id', async (c) => {
    const item = await deskItem(deps, deps.config(), c.req.param('id'));
    if (!item) return c.html(deskPage(await deskItems(deps, deps.config(), DESK_PAGE_SIZE), frameOf(c, { text: 'That article is not on the approval desk.', error: true }), now()), 404);
    return c.html(deskArticlePage(item, frameOf(c, doneNotice(c.req.query('done'))), now()));
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    if (!deps.gate.verify(typeof form.password === 'string' ? form.password : '', now())) {
      deps.log.warn({ component: 'dashboard' }, 'dashboard login refused');
      return c.html(loginPage(frameOf(c, { text: 'That password is not right (or too many tries this minute).', error: true })), 401);
    }
    await saveSession(c, deps.gate.logIn(now()));
    deps.log.info({ component: 'dashboard' }, 'dashboard login');
    return c.redirect('/', 303);
  });
  app.post('/logout', async (c) => {
    deps.gate.logOut(c.get('session'));
    await saveSession(c, newSession());
    return c.redirect('/', 303);
  });
  app.post('/feeds', async (c) => {
    const raw = await c.req.parseBody();
    const text = (name: string) => (typeof raw[name] === 'string' ? (raw[name] as string).trim() : '');
    const form: AddForm = { url: text('url'), id: text('id'), every: text('every'), channel: text('channel') };
    try {
      const { url, id, everyMs } = checkNewFeed(deps, form, DASHBOARD_CONTROLS);
      if (!CHANNEL_ID.test(form.channel)) throw new CommandError('Cannot add that feed: the Discord channel id must be 17 to 20 digits.');
      const { url: feedUrl, feed } = await readFeed(deps, url, ' Nothing was added.');
      const outcome = await deps.feeds.add({ id, url: feedUrl, everyMs, backfill: 0, name: feed.title ? cutText(feed.title, 100) : id, channelId: form.channel, paused: false, addedBy: 'dashboard', createdAt: now() });
      if (outcome !== 'added') throw new CommandError(`A feed with id \`${id}\` exists already.`);
      deps.log.info({ component: 'dashboard', feed: id }, 'feed added from the dashboard');
      return c.redirect(`/?done=added&feed=${encodeURIComponent(id)}`, 303);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      return c.html(feedsPage(await feedRows(deps, now()), frameOf(c, { text: plain(error.message), error: true }), now(), form), 400);
    }
  });
  app.post('/feeds/:id/:action', async (c) => {
    const action = ACTIONS.find((candidate) => candidate === c.req.param('action'));
    if (!action) return c.notFound();
    try {
      await changeFeed(deps, action, c.req.param('id'), DASHBOARD_CONTROLS);
      deps.log.info({ component: 'dashboard', feed: c.req.param('id'), action }, 'feed changed from the dashboard');
      return c.redirect(`/?done=${DONE_OF[action]}&feed=${encodeURIComponent(c.req.param('id'))}`, 303);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      return c.html(feedsPage(await feedRows(deps, now()), frameOf(c, { text: plain(error.message), error: true }), now()), 400);
    }
  });
  // The desk decides through ApprovalQueue.decide, as Discord's buttons do: the first decision wins, a later one changes nothing and is told who decided.
  app.post('/desk/:id/:action', async (c) => {
    const action = DESK_ACTIONS.find((candidate) => candidate === c.req.param('action'));
    if (!action) return c.notFound();
    const articleId = c.req.param('id');
    const again = async (notice: { text: string; error: boolean }, status: 400 | 404 | 409) => {
      const item = await deskItem(deps, deps.config(), articleId);
      return item ? c.html(deskArticlePage(item, frameOf(c, notice), now()), status) : c.html(deskPage(await deskItems(deps, deps.config(), DESK_PAGE_SIZE), frameOf(c, notice), now()), status);
    };
    let edit: { summary: string; xText: string | null } | undefined;
    if (action === 'edit') {
      const form = deskEditForm.safeParse(await c.req.parseBody());
      if (!form.success) return again({ text: `${form.error.issues.map((issue) => issue.message).join(' ')} Nothing was decided: edit again.`, error: true }, 400);
      edit = { summary: form.data.summary, xText: form.data.xText ?? null };
    }
    try {
      const outcome = await deps.desk.decide(articleId, action === 'skip' ? 'skipped' : 'approved', DASHBOARD_DECIDER, edit);
      if (!outcome) return again({ text: 'That article is not on the approval desk.', error: true }, 404);
      if (!outcome.decided) return again({ text: `Already ${deskDecision(outcome.approval)}; nothing changed.`, error: true }, 409);
      deps.log.info({ component: 'dashboard', article: articleId, decision: outcome.approval.status }, 'approval decided on the dashboard');
      return c.redirect(`/desk/${encodeURIComponent(articleId)}?done=${outcome.approval.status}`, 303);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      return again({ text: plain(error.message), error: true }, 400);
    }
  });
  app.onError((error, c) => {
    deps.log.error({ component: 'dashboard', err: error, path: c.req.path }, 'dashboard page failed');
    return c.text('Something went wrong; the error was logged.', 500);
  });
  return app;
}

/** The done code a feed change redirects with. */
const DONE_OF = { pause: 'paused', resume: 'resumed', remove: 'removed' } as const;
/** What each done code says; the page shows only these texts, never text carried by the URL. */
const DONE_TEXTS: Record<string, string> = { added: 'Added', paused: 'Paused', resumed: 'Resumed', removed: 'Removed', approved: 'Approved: it goes out now.', skipped: 'Skipped: it will not be posted.' };

/**
 * The notice after a change, from the redirect's `done` code and, for feeds, the feed id (shown only
 * when it is a valid feed id: lower-case letters, digits and dashes). Null for an unknown code: text
 * in the URL is never shown, so a link cannot make the page say something the server did not.
 */
export function doneNotice(done: string | undefined, feed?: string): Frame['notice'] {
  const text = done !== undefined && Object.hasOwn(DONE_TEXTS, done) ? DONE_TEXTS[done]! : null;
  if (text === null) return null;
  if (feed === undefined) return { text, error: false };
  return { text: feedId.safeParse(feed).success ? `${text} ${cutText(feed, 100)}.` : `${text}.`, error: false };
}

/** A command's answer as plain text: Discord's code marks and escapes removed, URL secrets redacted. */
function plain(text: string): string {
  return redactUrlSecrets(text.replace(/`/g, '').replace(/\\(.)/gu, '$1'));
}
