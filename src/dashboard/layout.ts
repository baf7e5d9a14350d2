import { html } from 'hono/html';

/** A piece of escaped HTML (hono's `html` helper escapes every interpolated value). */
export type Html = ReturnType<typeof html>;

/** What every page shows around its content: who is logged in, and the form token. */
export interface Frame {
  /** The path of the page, to mark it in the menu. */
  path: string;
  loggedIn: boolean;
  /** False when no password is set: the dashboard is read-only. */
  canLogIn: boolean;
  csrf: string;
  /** A line saying what was just done, or why not. */
  notice?: { text: string; error: boolean } | null;
}

const MENU: ReadonlyArray<[string, string]> = [
  ['/', 'Feeds'],
  ['/queues', 'Queues'],
  ['/usage', 'Usage'],
  ['/workers', 'Workers'],
  ['/preview', 'Preview'],
  ['/desk', 'Approval desk'],
];

/** The CSRF token as a form field; every form that changes something carries it. */
export function csrfField(frame: Frame): Html {
  return html`<input type="hidden" name="_csrf" value="${frame.csrf}">`;
}

/** A time as text in UTC ("2026-11-30 13:05:39 UTC"), or `none` for null. */
export function when(ms: number | null, none = 'never'): string {
  return ms === null ? none : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A time relative to `now` ("4 min ago", "in 2 h"), beside the absolute one. */
export function relative(ms: number, now: number): string {
  const seconds = Math.round((ms - now) / 1000);
  const size = Math.abs(seconds);
  const text = size < 60 ? `${size} s` : size < 3600 ? `${Math.round(size / 60)} min` : size < 172_800 ? `${Math.round(size / 3600)} h` : `${Math.round(size / 86_400)} d`;
  return seconds < 0 ? `${text} ago` : `in ${text}`;
}

/** A whole page: the menu, the login state, the notice and `content`. */
export function page(title: string, frame: Frame, content: Html): Html {
  const account = frame.loggedIn
    ? html`<form method="post" action="/logout" class="account">${csrfField(frame)}<button type="submit">Log out</button></form>`
    : frame.canLogIn
      ? html`<a class="account" href="/login">Log in to make changes</a>`
      : html`<span class="account">Read-only (no HERALD_DASHBOARD_PASSWORD)</span>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Herald</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<nav aria-label="Dashboard"><span class="brand">Herald</span><ul>${MENU.map(
    ([href, label]) => html`<li><a href="${href}"${frame.path === href ? html` aria-current="page"` : ''}>${label}</a></li>`,
  )}</ul></nav>
${account}
</header>
<main id="main">
<h1>${title}</h1>
${frame.notice ? html`<p class="${frame.notice.error ? 'notice error' : 'notice'}" role="${frame.notice.error ? 'alert' : 'status'}">${frame.notice.text}</p>` : ''}
${content}
</main>
</body>
</html>`;
}

/** The stylesheet: system fonts, WCAG AA contrast in both colour schemes, a visible focus ring. */
export const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #4b5563; --line: #d0d7de; --accent: #0b57d0; --bad: #a4161a; --good: #116329; --warn: #7a4a00; --card: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #a6b0bb; --line: #30363d; --accent: #79b8ff; --bad: #ff8182; --good: #56d364; --warn: #e3b341; --card: #161b22; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 4px 8px; }
header { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px; padding: 8px 24px; border-bottom: 1px solid var(--line); }
nav { display: flex; align-items: center; gap: 16px; } nav ul { display: flex; flex-wrap: wrap; gap: 12px; list-style: none; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.brand { font-weight: 700; }
main { padding: 8px 24px 48px; max-width: 1200px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 24px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
.ok { color: var(--good); font-weight: 600; } .failing, .failed { color: var(--bad); font-weight: 600; } .paused, .waiting, .held { color: var(--warn); font-weight: 600; } .new, .muted { color: var(--muted); }
.error-text { color: var(--bad); overflow-wrap: anywhere; }
.notice { padding: 8px 12px; border: 1px solid var(--good); border-radius: 6px; } .notice.error { border-color: var(--bad); }
form.inline { display: inline; }
button { font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); cursor: pointer; }
label { display: block; font-weight: 600; margin-top: 8px; } input[type=text], input[type=url], input[type=password], textarea { font: inherit; width: min(100%, 32rem); padding: 4px 8px; border: 1px solid var(--muted); border-radius: 6px; background: var(--bg); color: var(--fg); }
.hint { color: var(--muted); font-size: 14px; margin: 2px 0 0; }
.posts { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 16px; }
.discord-card { background: #2b2d31; color: #dbdee1; border-left: 4px solid; border-radius: 4px; padding: 8px 16px 12px; font-size: 14px; }
.discord-card a { color: #00a8fc; font-weight: 600; } .discord-card .author { font-weight: 600; font-size: 13px; color: #f2f3f5; } .discord-card .footer { font-size: 12px; color: #b5bac1; }
.discord-card p { white-space: pre-wrap; margin: 4px 0; } .discord-card img { max-width: 100%; border-radius: 4px; }
.x-post { background: #ffffff; color: #0f1419; border: 1px solid #cfd9de; border-radius: 16px; padding: 12px 16px; font-size: 15px; white-space: pre-wrap; overflow-wrap: anywhere; }
.desk-item { border-top: 1px solid var(--line); padding-top: 8px; margin-top: 16px; } .desk-item textarea { display: block; } details { margin: 8px 0; }
.x-post .handle { font-weight: 700; } .x-post.reply { margin-left: 24px; margin-top: 8px; }
`;
