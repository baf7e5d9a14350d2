import { html } from 'hono/html';
import type { PostPreview } from '../deliveries/kind.js';
import type { Article } from '../articles/article.js';
import type { Approval } from '../store/store.js';
import { decisionWords, MAX_INPUT } from '../targets/discord/approval.js';
import { deliveryOutcome, type DeliveryView } from './feeds-view.js';
import { csrfField, page, relative, when, type Frame, type Html } from './layout.js';
import { postPreview } from './status-view.js';

/** An article on the approval desk, as the desk page shows it. */
export interface DeskItem {
  approval: Approval;
  article: Article;
  /** What the Edit form starts from: the summary, and the X text when the article goes to X (else null). */
  draft: { summary: string; xText: string | null };
  /** Each destination, with its post as the platform would show it while the article is held (else null). */
  posts: Array<DeliveryView & { preview: PostPreview | null }>;
}

/** What was decided on an approval, in words for a page: "approved by Discord member <id>", "skipped by the dashboard", "expired (posted)". */
export function deskDecision(approval: Pick<Approval, 'status' | 'decidedBy'>): string {
  return decisionWords(approval, (id) => `Discord member ${id}`);
}

/** What became of an approval, in a sentence: still waiting until when, or who decided what and when. */
function decisionText(approval: Approval, now: number): string {
  if (approval.status === 'held') return `Waiting for a decision: ${approval.onExpiry === 'post' ? 'posted' : 'skipped'} if nobody decides by ${when(approval.expiresAt)} (${relative(approval.expiresAt, now)}).`;
  const words = deskDecision(approval);
  return `${words[0]!.toUpperCase()}${words.slice(1)}${approval.decidedAt === null ? '' : ` at ${when(approval.decidedAt)}`}.`;
}

/** Approve, Skip, and Edit (the summary and the X text, as Discord's modal has them): plain forms, no script needed. */
function deskForms(item: DeskItem, frame: Frame, n: number): Html {
  if (!frame.loggedIn) return html`<p class="muted">${frame.canLogIn ? html`<a href="/login">Log in</a> to approve, edit or skip.` : 'Set HERALD_DASHBOARD_PASSWORD to decide here.'}</p>`;
  const action = (what: string) => `/desk/${encodeURIComponent(item.article.id)}/${what}`;
  return html`<div><form class="inline" method="post" action="${action('approve')}">${csrfField(frame)}<button type="submit">Approve</button></form>
<form class="inline" method="post" action="${action('skip')}">${csrfField(frame)}<button type="submit">Skip</button></form></div>
<details><summary>Edit</summary>
<form method="post" action="${action('edit')}">${csrfField(frame)}
<label for="summary-${n}">Summary</label><textarea id="summary-${n}" name="summary" rows="5" cols="60" required maxlength="${MAX_INPUT}">${item.draft.summary}</textarea>
${item.draft.xText === null ? '' : html`<label for="xtext-${n}">X post</label><textarea id="xtext-${n}" name="xText" rows="4" cols="60" maxlength="${MAX_INPUT}" aria-describedby="xtext-hint-${n}">${item.draft.xText}</textarea><p class="hint" id="xtext-hint-${n}">Posted as typed; X allows 280 characters as it counts them (a link counts 23).</p>`}
<p><button type="submit">Approve with these changes</button></p>
</form></details>`;
}

function deskEntry(item: DeskItem, frame: Frame, now: number, n: number): Html {
  const held = item.approval.status === 'held';
  return html`<article class="desk-item" aria-labelledby="desk-${n}">
<h2 id="desk-${n}"><a href="${item.article.url}">${item.article.title}</a></h2>
<p class="${held ? 'waiting' : item.approval.status === 'approved' ? 'ok' : 'held'}">${decisionText(item.approval, now)}</p>
${held
    ? html`<div class="posts">${item.posts.map((post) => html`<section aria-label="${post.where}"><h3>${post.where}</h3>${post.preview ? postPreview(post.preview) : html`<p>${item.article.title}</p>`}</section>`)}</div>${deskForms(item, frame, n)}`
    : html`<ul>${item.posts.map((post) => html`<li>${post.where}: ${deliveryOutcome(post, now)}</li>`)}</ul>`}
</article>`;
}

/** The approval desk: each article waiting for a moderator, its posts as each destination would show them, and the forms that decide. */
export function deskPage(items: readonly DeskItem[], frame: Frame, now: number): Html {
  return page(
    'Approval desk',
    frame,
    items.length === 0 ? html`<p>Nothing is waiting for approval.</p>` : html`<p>${items.length} waiting for a decision, oldest first.</p>${items.map((item, n) => deskEntry(item, frame, now, n))}`,
  );
}

/** One article of the desk: waiting (with its forms), or who decided what and when. */
export function deskArticlePage(item: DeskItem, frame: Frame, now: number): Html {
  return page('Approval desk', frame, html`<p><a href="/desk">All articles waiting</a></p>${deskEntry(item, frame, now, 0)}`);
}
