import { createHash } from 'node:crypto';

/** The base32-sortable alphabet of TIDs (atproto spec, "Timestamp Identifiers"): sorts like the numbers it encodes. */
const S32 = '234567abcdefghijklmnopqrstuvwxyz';

/** A valid TID: 13 characters, the first of which keeps the top bit of the 64-bit value 0. */
export const TID_PATTERN = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;

const MINUTE_US = 60_000_000n;

function s32(value: bigint, width: number): string {
  let text = '';
  for (let rest = value; rest > 0n; rest >>= 5n) text = S32[Number(rest & 31n)]! + text;
  return text.padStart(width, S32[0]!);
}

/**
 * The record key of an article's post on one Bluesky account: a valid TID (atproto.com/specs/tid:
 * 64 bits, top bit 0, then 53 bits of microseconds since the UNIX epoch, then a 10-bit clock id;
 * written as 11 + 2 base32-sortable characters), derived only from the article and the account, so
 * every attempt to post the article there names the same record and the PDS refuses a second one.
 *
 * The timestamp lies within the minute before Herald first saw the article (`firstSeenAtMs`, ms since
 * the epoch), never after it: 60,000,000 microseconds and the 10-bit clock id, taken from a SHA-256 of
 * (account DID, article id), tell apart articles first seen close together (2,000 in one minute collide
 * with a chance of about 1 in 17,000).
 */
export function postRecordKey(account: string, articleId: string, firstSeenAtMs: number): string {
  const hash = createHash('sha256').update(`${account}\n${articleId}`).digest();
  const micros = BigInt(Math.max(60_000, Math.trunc(firstSeenAtMs))) * 1000n - (hash.readBigUInt64BE(0) % MINUTE_US);
  const clockId = BigInt(hash.readUInt16BE(8) & 0x3ff);
  return s32(micros & ((1n << 53n) - 1n), 11) + s32(clockId, 2);
}
