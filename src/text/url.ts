/** An absolute http(s) URL as published, or null: the only links Herald ever posts. */
export function safeHttpUrl(raw: string | null | undefined, base?: string): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/**
 * The form of a feed address by which duplicates are found: an http(s) URL with scheme and host
 * lower-cased (WHATWG URL) and the fragment dropped (RFC 3986 §3.5: it is never sent). Null when
 * `raw` is not an http(s) URL.
 */
export function feedUrlKey(raw: string): string | null {
  const url = safeHttpUrl(raw);
  if (!url) return null;
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.toString();
}
