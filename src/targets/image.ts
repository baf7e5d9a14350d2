import type { HttpClient } from '../sources/http.js';

/** The image types every destination kind accepts, each with the check of its file signature (magic bytes). */
const IMAGE_TYPES: Record<string, (bytes: Uint8Array) => boolean> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47,
  'image/gif': (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46,
  'image/webp': (b) => b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50,
};

/** An article's lead image as fetched and checked: its bytes and its media type (image/jpeg, image/png, image/gif or image/webp). */
export interface LeadImage {
  bytes: Uint8Array;
  type: string;
}

/**
 * Fetches an article's lead image through the SSRF-guarded client and checks it: at most `maxBytes`
 * bytes (the platform's limit: X 5,000,000, a Bluesky card thumbnail 1,000,000), a JPEG, PNG, GIF
 * or WebP by both its Content-Type and its first bytes, and one of `accepted` (MIME types, default all
 * four: a Mastodon instance lists the types it takes). Returns null when the server answers without
 * an image (not modified); throws a FetchError (too large, timeout, HTTP status…) or an Error naming
 * the type it got, which callers log before posting without the image.
 */
export async function fetchLeadImage(http: HttpClient, url: string, maxBytes: number, accepted: readonly string[] = Object.keys(IMAGE_TYPES)): Promise<LeadImage | null> {
  const types = Object.keys(IMAGE_TYPES).filter((type) => accepted.includes(type));
  const fetched = await http.fetch(url, { accept: types.join(', '), maxBytes, timeoutMs: 20_000 });
  if (fetched.status !== 'ok') return null;
  const type = (fetched.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const check = types.includes(type) ? IMAGE_TYPES[type] : undefined;
  if (!check || !check(fetched.body)) throw new Error(`not a JPEG, PNG, GIF or WebP image (${type || 'no content type'})`);
  return { bytes: fetched.body, type };
}
