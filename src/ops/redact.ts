/**
 * Credentials that travel inside URLs: the userinfo part (RFC 3986 §3.2.1, `https://user:password@host/`)
 * and query parameters whose name says they hold a secret (`?token=…`, `&api_key=…`, `X-Amz-Signature=…`).
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>\\]+@/gi;
/** Discord webhook and interaction tokens, which travel in the path: `/webhooks/<id>/<token>`, `/interactions/<id>/<token>`. */
const PATH_TOKENS = /(\/(?:interactions|webhooks)\/\d+\/)[\w.-]{20,}/g;
const QUERY_PARAMETER = /([?&;])([^=&#?\s"'<>\\]+)=([^&#\s"'<>\\]*)/g;

/** Words that name a secret in a parameter name, as parts (`api_key`, `accessToken`) or in run-together names. */
const SECRET_WORDS = new Set(['token', 'secret', 'password', 'passwd', 'pwd', 'pass', 'key', 'apikey', 'auth', 'authorization', 'sig', 'signature', 'session', 'sessionid', 'sid', 'credential', 'credentials', 'jwt', 'code']);
const SECRET_INSIDE = /token|secret|passw(?:or)?d|apikey|credential/;

/** True when a query parameter's name says its value is a secret. */
function isSecretParameter(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // keep the name as written
  }
  const words = decoded
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((word) => SECRET_WORDS.has(word)) || SECRET_INSIDE.test(decoded.toLowerCase());
}

/**
 * Replaces URL credentials in free text (a log line, an error, a reply) with `[redacted]`: the
 * userinfo of every URL, the value of every query parameter whose name says it is a secret, and
 * the token of a Discord webhook or interaction URL (`/webhooks/<id>/[redacted]`). Everything else,
 * the host and path included, is kept so the text still says which feed or webhook it was.
 */
export function redactUrlSecrets(text: string): string {
  return text
    .replace(USERINFO, '$1[redacted]@')
    .replace(PATH_TOKENS, '$1[redacted]')
    .replace(QUERY_PARAMETER, (match, separator: string, name: string) => (isSecretParameter(name) ? `${separator}${name}=[redacted]` : match));
}
