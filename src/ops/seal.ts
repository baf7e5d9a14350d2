import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM (NIST SP 800-38D): a 12-byte IV, random for every value, and a 16-byte authentication tag. */
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts `text` with `key` (32 bytes: HERALD_SECRET_KEY) for keeping at rest: AES-256-GCM with a
 * random 12-byte IV. Returns "v1:<base64 of IV, tag and ciphertext>"; the same text seals differently
 * each time. Throws when the key is not 32 bytes.
 */
export function seal(text: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  const encrypted = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64')}`;
}

/**
 * The text `sealed` (from seal) holds, or null when it cannot be opened with `key`: another key, a
 * changed or cut value (the authentication tag is checked). Never throws.
 */
export function unseal(sealed: string, key: Buffer): string | null {
  if (!sealed.startsWith('v1:')) return null;
  const bytes = Buffer.from(sealed.slice(3), 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
