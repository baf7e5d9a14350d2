import { html } from 'hono/html';
import type { PostPreview, TargetUsage } from '../deliveries/kind.js';
import type { DeliveryJob, DeliveryStatus } from '../store/store.js';
import type { DigestCause } from '../store/digests.js';
import { reasonOf } from './feeds-view.js';
import { csrfField, page, when, type Frame, type Html } from './layout.js';
import { counted } from '../text/count.js';

/** One destination's queue: what waits in it and what it waits on. */
export interface QueueRow {
  /** The destination in words. */
  where: string;
  /** Unfinished deliveries in it. */
  waiting: number;
  /** Its earliest unfinished delivery. */
  head: DeliveryJob;
}

/** The queues page: one row per destination with unfinished deliveries, and the totals. */
export function queuesPage(rows: readonly QueueRow[], counts: Record<DeliveryStatus, number>, failed: readonly DeliveryJob[], frame: Frame, now: number, describe: (target: string) => string): Html {
  const headText = ({ delivery }: DeliveryJob) =>
    delivery.status === 'sending' ? 'sending now' : delivery.nextAttemptAt > now && delivery.lastError ? `waiting until ${when(delivery.nextAttemptAt)}: ${reasonOf(delivery)}` : 'due now';
  return page(
    'Queues',
    frame,
    html`<p>${counts.pending + counts.sending} waiting, ${counts.held ? html`${counts.held} held for approval (<a href="/desk">desk</a>), ` : ''}${counts.folded ? `${counts.folded} in digests, ` : ''}${counts.sent} posted, ${counts.failed} failed, ${counts.skipped} skipped in all.</p>
<table><caption>Queues per destination</caption>
<thead><tr><th scope="col">Destination</th><th scope="col">Waiting</th><th scope="col">Next up</th><th scope="col">State</th></tr></thead>
<tbody>${rows.length > 0 ? rows.map((row) => html`<tr><th scope="row">${row.where}</th><td>${row.waiting}</td><td>${row.head.article.title}</td><td>${headText(row.head)}</td></tr>`) : html`<tr><td colspan="4">${counts.held ? `No queue has a post due; ${counts.held} held for approval wait on the desk.` : 'Every queue is empty.'}</td></tr>`}</tbody></table>
<table><caption>Recently failed or skipped</caption>
<thead><tr><th scope="col">Article</th><th scope="col">Destination</th><th scope="col">Why</th></tr></thead>
<tbody>${failed.length > 0 ? failed.map(({ delivery, article }) => html`<tr><th scope="row"><a href="${article.url}">${article.title}</a></th><td>${describe(delivery.target)}</td><td class="error-text">${delivery.status}: ${reasonOf(delivery)}</td></tr>`) : html`<tr><td colspan="3">None.</td></tr>`}</tbody></table>`,
  );
}

const usd = (amount: number | null) => (amount === null ? 'free' : `$${amount.toFixed(2)}`);
const left = (posts: number | null) => (posts === null ? 'no cap' : String(posts));

/** The usage page: each platform's posts (and dollars, where it charges) this UTC day and month, and what its caps and limits leave. */
export function usagePage(platforms: ReadonlyArray<{ platform: string; usage: TargetUsage }>, frame: Frame): Html {
  return page(
    'Usage',
    frame,
    platforms.length === 0
      ? html`<p>No destination with costs or limits (X, Bluesky, Mastodon, Telegram) is configured.</p>`
      : html`${platforms.map(
          ({ platform, usage }) => html`<section aria-label="${platform}"><table><caption>${platform}</caption>
<thead><tr><th scope="col">Period</th><th scope="col">Posts</th><th scope="col">Spent</th><th scope="col">Posts left</th></tr></thead>
<tbody><tr><th scope="row">Today (UTC)</th><td>${usage.day.posts}</td><td>${usd(usage.day.usd)}</td><td>${left(usage.postsLeft.day)}</td></tr>
<tr><th scope="row">This month (UTC)</th><td>${usage.month.posts}</td><td>${usd(usage.month.usd)}</td><td>${left(usage.postsLeft.month)}</td></tr></tbody></table>
${usage.notes.map((note) => html`<p>${note}</p>`)}</section>`,
        )}`,
  );
}

/** The workers page: the processes sharing the database and the feeds each polls. */
export function workersPage(workers: ReadonlyArray<{ name: string; self: boolean; feeds: string[] }>, frame: Frame): Html {
  return page(
    'Workers',
    frame,
    html`<p>${workers.length === 1 ? 'One process does all the work (on PostgreSQL, more can share it).' : `${workers.length} processes share the database.`}</p>
<table><caption>Live workers</caption><thead><tr><th scope="col">Worker</th><th scope="col">Feeds it polls</th></tr></thead>
<tbody>${workers.map((worker) => html`<tr><th scope="row">${worker.name}${worker.self ? ' (this one)' : ''}</th><td>${worker.feeds.length}: ${worker.feeds.join(', ')}</td></tr>`)}</tbody></table>`,
  );
}

/** A post as its platform shows it: a Discord-embed-like card, or an X-like text post with its replies. */
export function postPreview(preview: PostPreview): Html {
  if (preview.look === 'text') {
    return html`<div class="x-post"><span class="handle">Your account</span>
${preview.text}</div>${preview.replies.map((reply) => html`<div class="x-post reply">${reply}</div>`)}`;
  }
  const colour = `#${preview.color.toString(16).padStart(6, '0')}`;
  return html`<div class="discord-card" style="border-left-color: ${colour}">
${preview.author ? html`<div class="author">${preview.author}</div>` : ''}
<a href="${preview.url}">${preview.title}</a>
${preview.description ? html`<p>${preview.description}</p>` : ''}
${preview.imageUrl ? html`<img src="${preview.imageUrl}" alt="">` : ''}
<div class="footer">${[preview.footer, preview.timestamp ? when(Date.parse(preview.timestamp)) : null].filter(Boolean).join(' • ')}</div>
</div>`;
}

/** The preview page: the next posts of each destination as its platform would show them. */
/** What is held rather than due (the preview page says so): articles on the approval desk, and each digest not yet posted. */
export interface HeldPosts {
  /** Deliveries held for a moderator's decision. */
  approval: number;
  /** Digests not yet posted, soonest first: where, why, how many articles so far, and when due (epoch ms). */
  digests: Array<{ where: string; cause: DigestCause; articles: number; dueAt: number }>;
}

/** Why a digest holds its articles, in words. */
const DIGEST_CAUSE: Record<HeldPosts['digests'][number]['cause'], string> = {
  pace: "over the destination's pace",
  quiet: 'quiet hours',
  scheduled: 'its scheduled digest',
};

/**
 * The preview page: the next posts of each destination as its platform shows them, then what is
 * held instead of due (on the approval desk, in digests: why, and when each digest goes out).
 */
export function previewPage(posts: ReadonlyArray<{ where: string; title: string; preview: PostPreview | null }>, held: HeldPosts, frame: Frame): Html {
  const holding = held.approval > 0 || held.digests.length > 0;
  const heldList = html`<h2>Held</h2><ul>${held.approval > 0 ? html`<li>${counted(held.approval, 'post')} held for approval: each goes out once a moderator approves it on the <a href="/desk">desk</a>.</li>` : ''}${held.digests.map(
    (digest) => html`<li>${digest.where}: ${counted(digest.articles, 'article')} held for ${DIGEST_CAUSE[digest.cause]}, posted together as one digest at ${when(digest.dueAt)}.</li>`,
  )}</ul>`;
  return page(
    'Next posts',
    frame,
    html`${posts.length === 0
      ? html`<p>${holding ? 'Nothing is due to be posted now; what is held is listed below.' : 'Nothing is waiting to be posted.'}</p>`
      : html`<div class="posts">${posts.map((post) => html`<section aria-label="${post.title} to ${post.where}"><h2>${post.where}</h2>${post.preview ? postPreview(post.preview) : html`<p>${post.title}</p>`}</section>`)}</div>`}${holding ? heldList : ''}`,
  );
}

/** The login page. */
export function loginPage(frame: Frame): Html {
  return page(
    'Log in',
    frame,
    frame.canLogIn
      ? html`<form method="post" action="/login">${csrfField(frame)}<label for="password">Password</label><input type="password" id="password" name="password" required autocomplete="current-password"><p><button type="submit">Log in</button></p></form>`
      : html`<p>This dashboard is read-only: no HERALD_DASHBOARD_PASSWORD is set.</p>`,
  );
}
