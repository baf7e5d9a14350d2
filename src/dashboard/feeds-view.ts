import { html } from 'hono/html';
import { formatDuration } from '../config/duration.js';
import { redactUrlSecrets } from '../ops/redact.js';
import type { Article } from '../articles/article.js';
import type { Delivery } from '../store/store.js';
import type { FeedStatus } from '../targets/status.js';
import { csrfField, page, relative, when, type Frame, type Html } from './layout.js';

/** A feed as the feeds page lists it. */
export interface FeedRow extends FeedStatus {
  /** When this process polls it next (ms since the epoch), or null (paused, or polled by another worker). */
  nextPollAt: number | null;
}

/** What the add form was given, to show again beside its error (an address carrying credentials is not shown again: the field is left empty). */
export interface AddForm {
  url: string;
  id: string;
  every: string;
  channel: string;
}

const HEALTH_TEXT = { ok: 'OK', failing: 'Failing', held: 'Held by its host', paused: 'Paused', new: 'Not polled yet' } as const;

/** A feed's health in words, with what it adds: how many polls failed in a row, or until when its host holds it back. */
function healthText(row: FeedRow): Html {
  if (row.health === 'failing') return html`${HEALTH_TEXT.failing} (${row.state!.failures} in a row)`;
  if (row.health === 'held') return html`${HEALTH_TEXT.held} until ${when(row.state!.heldUntil)} (Retry-After)`;
  return html`${HEALTH_TEXT[row.health]}`;
}

/** The management buttons of a feed added from Discord or the dashboard (config feeds change in their file). */
function feedActions(row: FeedRow, frame: Frame): Html {
  if (!frame.loggedIn) return html``;
  if (row.feed.source === 'config') return html`<span class="muted">in the config file</span>`;
  const button = (action: string, label: string) =>
    html`<form class="inline" method="post" action="/feeds/${row.feed.id}/${action}">${csrfField(frame)}<button type="submit" aria-label="${label} ${row.feed.id}">${label}</button></form> `;
  return html`${row.feed.paused ? button('resume', 'Resume') : button('pause', 'Pause')}${button('remove', 'Remove')}`;
}

function addForm(frame: Frame, form: AddForm): Html {
  if (!frame.loggedIn) return html`<p class="muted">${frame.canLogIn ? html`<a href="/login">Log in</a> to add, pause, resume or remove feeds.` : 'Set HERALD_DASHBOARD_PASSWORD to manage feeds here.'}</p>`;
  return html`<h2>Add a feed</h2>
<form method="post" action="/feeds">${csrfField(frame)}
<label for="url">Feed address</label><input type="url" id="url" name="url" required value="${redactUrlSecrets(form.url) === form.url ? form.url : ''}" aria-describedby="url-hint"><p class="hint" id="url-hint">RSS, Atom, RDF or JSON Feed, http:// or https://</p>
<label for="id">Id</label><input type="text" id="id" name="id" value="${form.id}" aria-describedby="id-hint"><p class="hint" id="id-hint">Lower-case letters, digits and dashes; empty: made from the address</p>
<label for="every">Check every</label><input type="text" id="every" name="every" value="${form.every}" aria-describedby="every-hint"><p class="hint" id="every-hint">A duration such as 5m or 1h; empty: 5m</p>
<label for="channel">Discord channel id</label><input type="text" id="channel" name="channel" required inputmode="numeric" value="${form.channel}" aria-describedby="channel-hint"><p class="hint" id="channel-hint">Where its new stories are posted (17 to 20 digits)</p>
<p><button type="submit">Add feed</button></p>
</form>`;
}

/** ", 2 held by their host" when any is, else nothing. */
function heldCount(rows: readonly FeedRow[]): string {
  const held = rows.filter((row) => row.health === 'held').length;
  return held > 0 ? `, ${held} held by their host` : '';
}

/** The feeds page: each feed's health, last and next poll, interval, last error, and how it is read. */
export function feedsPage(rows: readonly FeedRow[], frame: Frame, now: number, form: AddForm = { url: '', id: '', every: '', channel: '' }): Html {
  const body = rows.map(
    (row) => html`<tr>
<th scope="row"><a href="/feeds/${row.feed.id}">${row.feed.name}</a><br><span class="muted">${row.feed.id}</span></th>
<td class="${row.health}">${healthText(row)}</td>
<td>${row.state?.lastPollAt ? html`${relative(row.state.lastPollAt, now)}<br><span class="muted">${when(row.state.lastPollAt)}</span>` : 'never'}</td>
<td>${row.nextPollAt === null ? html`<span class="muted">${row.feed.paused ? 'paused' : 'by another worker'}</span>` : relative(row.nextPollAt, now)}</td>
<td>${formatDuration(row.feed.everyMs)}</td>
<td>polled</td>
<td class="error-text">${row.state?.lastError && row.state.failures > 0 ? redactUrlSecrets(row.state.lastError) : ''}</td>
<td>${feedActions(row, frame)}</td>
</tr>`,
  );
  return page(
    'Feeds',
    frame,
    html`<table>
<caption>${rows.length} feeds, ${rows.filter((row) => row.health === 'failing').length} failing${heldCount(rows)}</caption>
<thead><tr><th scope="col">Feed</th><th scope="col">Health</th><th scope="col">Last poll</th><th scope="col">Next poll</th><th scope="col">Interval</th><th scope="col">Read by</th><th scope="col">Last error</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>${body}</tbody>
</table>
${addForm(frame, form)}`,
  );
}

/** One delivery of an item as people read it: where, and what became of it. */
export interface DeliveryView {
  delivery: Delivery;
  /** The destination in words ("Discord channel 123…", "X"). */
  where: string;
  /** The posted message on its platform, when it can be linked. */
  messageUrl: string | null;
}

/** Why a delivery failed, waits or was skipped, without secrets, without repeating its status, and with Discord mentions in words ("Discord member 123", "channel 456": a page renders no Discord markup). */
export function reasonOf(delivery: Delivery): string {
  return redactUrlSecrets(delivery.lastError ?? '')
    .replace(new RegExp(`^${delivery.status}: `), '')
    .replace(/<@!?(\d+)>/g, 'Discord member $1')
    .replace(/<#(\d+)>/g, 'channel $1');
}

/** What became of a delivery, in words, with its reason (and a link to the post when it has one). */
export function deliveryOutcome({ delivery, messageUrl }: DeliveryView, now: number): Html {
  const reason = reasonOf(delivery);
  switch (delivery.status) {
    case 'sent':
      return html`<span class="ok">posted</span>${messageUrl ? html` (<a href="${messageUrl}">see the post</a>)` : ''}`;
    case 'failed':
      return html`<span class="failed">failed</span>: <span class="error-text">${reason}</span>`;
    case 'skipped':
      return html`<span class="held">skipped</span>: ${reason}`;
    case 'sending':
      return html`<span class="waiting">sending now</span>`;
    case 'held':
      return html`<span class="waiting">held for approval</span> (<a href="/desk">approval desk</a>)`;
    case 'folded':
      return html`<span class="waiting">waiting in a digest</span> (the destination's pace, quiet hours or schedule)`;
    case 'pending':
      return delivery.nextAttemptAt > now && reason
        ? html`<span class="waiting">waiting</span> until ${when(delivery.nextAttemptAt)}: ${reason}`
        : html`<span class="waiting">waiting its turn</span> (posts go out in publication order)`;
  }
}

/** A feed's page: its state and its recent articles with what became of each. */
export function feedPage(row: FeedRow, items: ReadonlyArray<{ article: Article; deliveries: DeliveryView[] }>, frame: Frame, now: number): Html {
  const list = items.map(
    ({ article, deliveries }) => html`<tr>
<th scope="row"><a href="${article.url}">${article.title || article.url}</a><br><span class="muted">${when(article.publishedAt ?? article.firstSeenAt)}</span></th>
<td>${deliveries.length === 0 ? html`<span class="muted">no destination: no route sends this feed anywhere that is configured</span>` : html`<ul>${deliveries.map((view) => html`<li>${view.where}: ${deliveryOutcome(view, now)}</li>`)}</ul>`}</td>
</tr>`,
  );
  return page(
    row.feed.name,
    frame,
    html`<p><a href="/">All feeds</a></p>
<dl>
<dt>Address</dt><dd>${redactUrlSecrets(row.feed.url)}</dd>
<dt>Health</dt><dd class="${row.health}">${healthText(row)}</dd>
<dt>Last error</dt><dd class="error-text">${row.state?.lastError && row.state.failures > 0 ? redactUrlSecrets(row.state.lastError) : 'none'}</dd>
<dt>Last poll</dt><dd>${when(row.state?.lastPollAt ?? null)}</dd>
<dt>Interval</dt><dd>${formatDuration(row.feed.everyMs)}</dd>
</dl>
<table><caption>Recent articles</caption>
<thead><tr><th scope="col">Article</th><th scope="col">What became of it</th></tr></thead>
<tbody>${list.length > 0 ? list : html`<tr><td colspan="2">No articles yet.</td></tr>`}</tbody></table>`,
  );
}
