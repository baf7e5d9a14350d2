import { createHash } from 'node:crypto';

/** Query parameters that only say where a click came from; they never change which story a URL names. */
const TRACKING_PARAMS = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'igshid', 'mc_cid', 'mc_eid',
  'xtor', 'xtref', '_hsenc', '_hsmi', 'mkt_tok', 'ocid', 'cmpid', 'ncid', 'sr_share', 'ref_src', 'ref_url',
  'smid', 'smtyp', 'at_medium', 'at_campaign', 'guccounter', 'guce_referrer', 'guce_referrer_sig',
]);
const TRACKING_PREFIXES = ['utm_', 'at_', 'pk_', 'mtm_', 'hsa_', 'vero_', 'oly_'];

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * The URL that names a story: http(s) only, lower-case host, no default port, no fragment,
 * no tracking parameters, remaining parameters in a stable order. Returns null for anything
 * that is not an absolute http(s) URL (javascript:, data:, garbage).
 */
export function canonicalUrl(raw: string, base?: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  url.username = '';
  url.password = '';
  const kept = [...url.searchParams.entries()].filter(([name]) => !isTrackingParam(name));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  return url.toString();
}

/**
 * The key that says whether a feed item was seen before: the published guid/id when there is one,
 * else the canonical URL. Dates are deliberately not part of it, so an edited pubDate never reposts.
 */
export function itemKey(item: { id: string | null; url: string | null }): string | null {
  if (item.id && item.id.trim()) {
    const id = item.id.trim();
    // A guid that is itself a URL gets the same tracking-parameter treatment as a link.
    return /^https?:\/\//i.test(id) ? (canonicalUrl(id) ?? id) : id;
  }
  return item.url ? canonicalUrl(item.url) : null;
}

/** A short stable id for a story, shared by every feed that links the same canonical URL. */
export function storyId(canonical: string): string {
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}
