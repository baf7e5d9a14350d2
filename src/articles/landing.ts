/**
 * Where an article URL lands. Publishers answer some requests with 200 and a page that is not the
 * article: a cookie-consent or login wall, a "verify you are human" check, a region block, or a
 * redirect to a front page (theirs or another site's). Summarizing that page would post "We use
 * cookies…" under the story's headline; the feed's own content is the better text then.
 */

/** What the feed says about the item: the URL Herald asked for, its title, its description. */
export interface ItemExpectation {
  url: string | null;
  title: string | null;
  /** The feed's description or content as plain text. */
  description: string;
}

/** What came back: the URL the page was read from after redirects, its title and main text. */
export interface LandedPage {
  fetchedUrl: string | null;
  title: string | null;
  text: string;
}

/** Hosts and path words of consent, login, bot-check and region-block pages. */
const WALL_HOST = /^(?:consent|guce|login|signin|accounts?|auth|sso|id|myaccount|captcha|challenge|geo|gdpr|privacy|cmp)\./i;
const WALL_PATH =
  /(?:^|[/_.-])(?:consent|cookies?|cookie-?wall|gdpr|privacy-?(?:consent|gate|wall)|login|log-?in|signin|sign-?in|sign-?on|auth(?:orize)?|sso|account|captcha|challenge|challenge-platform|verify|verification|are-?you-?(?:a-?)?(?:robot|human)|bot-?check|blocked|unavailable|not-?available|geo-?(?:block|blocked|restricted|restriction)|region-?(?:block|blocked|restricted)|paywall|subscribe|registration)(?:$|[/_.?-])/i;

/**
 * Titles and short texts of such pages, in English, Ukrainian, German, French and Spanish (and
 * Russian, which some Ukrainian outlets' walls still use).
 */
const WALL_WORDING = new RegExp(
  [
    'before you continue', 'we use cookies', 'we value your privacy', 'your privacy choices', 'cookie (?:settings|preferences|consent|policy)',
    'accept (?:all|cookies)', 'reject all', 'manage (?:cookies|preferences|consent)', 'consent',
    'sign in', 'log ?in', 'create (?:an|your) account', 'subscribe to (?:continue|read)', 'subscribers only',
    'verify (?:you are|you\'re) (?:a )?human', 'are you (?:a )?(?:robot|human)', 'just a moment', 'attention required',
    'checking your browser', 'security check', 'captcha', 'access denied', 'forbidden', 'enable javascript and cookies',
    'not available in your (?:country|region|location)', 'unavailable in your (?:country|region)', 'this content is not available',
    // Region blocks: HTTP 451 (RFC 7725) worded in the title, and the EU/GDPR wording US sites block with.
    'unavailable (?:due to|for) legal reasons', '(?:access|content) (?:cannot|can ?not|could not) be (?:granted|provided|displayed)',
    'from a country (?:belonging to|in) the european economic area', 'not (?:currently )?(?:available|accessible) (?:in|to|from) (?:the )?(?:eu|eea|european)',
    'in ihrem land nicht verfügbar', 'aus rechtlichen gründen nicht verfügbar', 'indisponible pour des raisons légales', 'no disponible por razones legales',
    'bevor sie fortfahren', 'wir verwenden cookies', 'datenschutz(?:einstellungen|hinweis)', 'einwilligung', 'zustimmen', 'anmelden', 'zugriff verweigert',
    "n'est pas disponible dans votre (?:pays|région)", 'contenu indisponible',
    'avant de continuer', 'nous utilisons des cookies', 'vos choix (?:concernant|de) (?:la )?confidentialit', 'consentement', 'se connecter', 'connexion', 'accès refusé',
    'antes de continuar', 'utilizamos cookies', 'usamos cookies', 'iniciar sesión', 'acceso denegado', 'no está disponible en tu (?:país|región)',
    'перевірка безпеки', 'ми використовуємо (?:файли )?cookie', 'увійти', 'вхід до (?:акаунта|облікового запису)', 'підтвердіть, що ви не робот', 'доступ заборонено', 'недоступн\\S* у вашому (?:регіоні|країні)',
    'мы используем (?:файлы )?cookie', 'войти', 'подтвердите, что вы не робот', 'доступ запрещ',
  ].join('|'),
  'iu',
);

/** A title naming an HTTP error status ("451: Unavailable For Legal Reasons", "403 Forbidden"): an error page served with 200. */
const ERROR_TITLE =
  /^\s*(?:error\s*|http\s*)?[45]\d\d\s*(?:[:|–—-]|error\b|not found|forbidden|unauthori[sz]ed|gone|unavailable|service unavailable|bad gateway|gateway timeout)/iu;

/** A wall's text is short; an article that mentions cookies or logging in is not. */
const SHORT_WALL_TEXT = 1500;

/** Words of four letters or more (or with a digit): short words say nothing about the topic. */
function topicWords(text: string | null): Set<string> {
  return new Set((text?.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => word.length >= 4 || /\p{N}/u.test(word)));
}

/** Share (0–1) of `words` found in `other`; null when there are fewer than `minimum` words to judge by. */
function sharedShare(words: Set<string>, other: Set<string>, minimum: number): number | null {
  if (words.size < minimum) return null;
  let shared = 0;
  for (const word of words) if (other.has(word)) shared++;
  return shared / words.size;
}

function parse(url: string | null): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

const bareHost = (url: URL) => url.hostname.toLowerCase().replace(/^www\./, '');
/** "/", or one short segment such as "/en/" or "/index.html": a site's front page. */
const isFrontPath = (url: URL) => /^\/(?:[a-z]{2}(?:-[a-z]{2})?\/?|index\.\w+)?$/i.test(url.pathname) && url.search === '';

/** Why the redirect's target is not an article page, or null. */
function redirectReason(requested: URL, landed: URL): string | null {
  if (requested.href === landed.href) return null;
  const where = `${landed.hostname}${landed.pathname}`;
  // Only what the redirect changed counts: an article's own slug may hold "login" or "cookies".
  const wallHost = WALL_HOST.test(landed.hostname) && landed.hostname !== requested.hostname;
  const wallPath = WALL_PATH.test(landed.pathname) && !WALL_PATH.test(requested.pathname);
  if (wallHost || wallPath) return `redirected to a consent, login or verification page (${where})`;
  if (isFrontPath(landed) && !isFrontPath(requested)) {
    return bareHost(landed) === bareHost(requested) ? `redirected to the site's front page (${where})` : `redirected to another site's front page (${where})`;
  }
  return null;
}

/**
 * Why `page` is not the article the feed item announced, or null when it may well be. The signals:
 * the redirect's target (a consent, login or verification page, or a front page); a title worded
 * like such a wall or naming an HTTP error status (a 451 region block: RFC 7725) that has nothing to
 * do with the item's title; or a title unrelated to the
 * item's title together with a text that shares almost no words with the feed's description (or
 * is a short text worded like a wall). Pure; the reason is for a log line.
 */
export function pageMismatch(item: ItemExpectation, page: LandedPage): string | null {
  const requested = parse(item.url);
  const landed = parse(page.fetchedUrl);
  const redirect = requested && landed ? redirectReason(requested, landed) : null;
  if (redirect) return redirect;

  const itemTitle = topicWords(item.title);
  const pageTitle = topicWords(page.title);
  const titleShare = sharedShare(itemTitle, pageTitle, 2);
  const titleUnrelated = titleShare !== null && titleShare < 0.2;
  if (page.title && (WALL_WORDING.test(page.title) || ERROR_TITLE.test(page.title)) && titleShare !== null && titleShare < 0.5) {
    return `the page is a consent, login or verification page (title "${page.title}")`;
  }
  if (!titleUnrelated) return null;
  const textShare = sharedShare(topicWords(item.description), topicWords(page.text), 8);
  if (textShare !== null && textShare < 0.2) {
    return `the page's title ("${page.title ?? ''}") and text have nothing to do with the item (${Math.round(textShare * 100)} % of the description's words in it)`;
  }
  if (page.text.length < SHORT_WALL_TEXT && WALL_WORDING.test(page.text)) {
    return `the page's title ("${page.title ?? ''}") has nothing to do with the item and its text reads like a consent, login or verification page`;
  }
  return null;
}
