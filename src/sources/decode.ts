import { analyse } from 'chardet';
import iconv from 'iconv-lite';

/**
 * Turns feed or page bytes into a string.
 * Order (RFC 7303 §3.3 and §8.4 for XML, the WHATWG Encoding Standard and HTML's sniffing for pages):
 * 1. a byte-order mark;
 * 2. the charset of the HTTP Content-Type (`httpCharset`): it wins over what the document declares;
 * 3. UTF-16 or UTF-32 without a mark, seen from how `<` is laid out in bytes (XML 1.0 Appendix F);
 * 4. the XML declaration's encoding, or `<meta charset>`; a UTF-16 label on bytes that are plainly
 *    not UTF-16 or UTF-32 (the declaration itself was readable as ASCII) is ignored;
 * 5. UTF-8 when the bytes are valid UTF-8, or nearly (mostlyUtf8: a few bad bytes among many valid
 *    sequences, read as U+FFFD); else chardet's guess when it names a non-Latin encoding
 *    (Big5, GB18030, EUC-JP, Shift_JIS, EUC-KR, KOI8-R…); else windows-1252, the web's legacy default.
 * Labels are WHATWG labels, so ISO-8859-1, US-ASCII and latin1 mean windows-1252; labels WHATWG does not
 * know (cp437, cp850…) are tried with iconv-lite. C1 control characters left in the text (U+0080–U+009F,
 * never text, always mislabelled windows-1252) become the windows-1252 characters they stand for.
 */
export function decodeBytes(bytes: Uint8Array, httpCharset?: string | null): string {
  const { text, encoding } = decodeWith(bytes, httpCharset ?? null);
  // Decoded from UTF-8, a C1 control can only come from the bytes C2 80–C2 9F: looking for those in the bytes costs less than searching the text.
  return encoding === 'utf-8' && !hasUtf8C1(bytes) ? text : windows1252C1(text);
}

/** Decoded text and the encoding it was decoded with (a WHATWG name, or iconv-lite's label). */
interface Decoded {
  text: string;
  encoding: string;
}

function decodeWith(bytes: Uint8Array, httpCharset: string | null): Decoded {
  const fromBom = bomEncoding(bytes);
  if (fromBom) return decodeAs(bytes, fromBom)!;
  const fromHttp = httpCharset ? decodeAs(bytes, byteOrder(httpCharset, bytes)) : null;
  if (fromHttp !== null) return fromHttp;
  const sniffed = wideWithoutBom(bytes);
  if (sniffed) return decodeAs(bytes, sniffed)!;
  const declared = declaredEncoding(bytes);
  const fromDeclaration = declared && !isWide(declared) ? decodeAs(bytes, declared) : null;
  if (fromDeclaration !== null) return fromDeclaration;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    if (mostlyUtf8(bytes)) return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8' };
    return decodeAs(bytes, guessLegacy(bytes)) ?? decodeAs(bytes, 'windows-1252')!;
  }
}

/** Valid multi-byte UTF-8 sequences per invalid one at which undeclared bytes are read as UTF-8 (the XML default) with U+FFFD at the bad bytes. */
const UTF8_VALID_PER_INVALID = 20;

/**
 * Whether bytes that are not valid UTF-8 are still UTF-8 with a few bad bytes: at least
 * UTF8_VALID_PER_INVALID valid multi-byte sequences for each invalid byte. Text in a legacy encoding
 * almost never forms valid sequences (windows-1252's é is E9 before ASCII), and the lead bytes of
 * Big5, GB18030, Shift_JIS and EUC-KR (0x81–0xBF among them) are invalid as UTF-8 leads. Sequences as
 * the WHATWG Encoding Standard's UTF-8 decoder accepts them (no overlong forms, no surrogates).
 */
function mostlyUtf8(bytes: Uint8Array): boolean {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    // The second byte's range depends on the lead (WHATWG UTF-8 decoder: E0 A0–BF, ED 80–9F, F0 90–BF, F4 80–8F).
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    let ok = length > 0 && i + length <= bytes.length && bytes[i + 1]! >= low && bytes[i + 1]! <= high;
    for (let k = 2; ok && k < length; k++) ok = bytes[i + k]! >= 0x80 && bytes[i + k]! <= 0xbf;
    if (ok) {
      valid++;
      i += length;
    } else {
      invalid++;
      i++;
    }
  }
  return valid >= UTF8_VALID_PER_INVALID * invalid;
}

/** Whether UTF-8 bytes hold a C1 control character (U+0080–U+009F, encoded C2 80–C2 9F). */
function hasUtf8C1(bytes: Uint8Array): boolean {
  for (let at = bytes.indexOf(0xc2); at !== -1; at = bytes.indexOf(0xc2, at + 1)) {
    const next = bytes[at + 1]!;
    if (next >= 0x80 && next <= 0x9f) return true;
  }
  return false;
}

/** How sure chardet must be (0–100) before its guess replaces windows-1252. */
const MIN_GUESS_CONFIDENCE = 25;
/** Bytes chardet reads to guess: the first 64 KB say enough, and a large feed costs no more. */
const GUESS_BYTES = 65_536;

/** Undeclared bytes that are not UTF-8: chardet's best guess unless it is Latin-1 (then windows-1252, its superset). */
function guessLegacy(bytes: Uint8Array): string {
  const best = analyse(bytes.subarray(0, GUESS_BYTES))[0];
  if (!best || best.confidence < MIN_GUESS_CONFIDENCE || /^(?:iso-8859-1|windows-1252|utf-8|ascii)$/i.test(best.name)) return 'windows-1252';
  return best.name;
}

/** Decodes with the encoding a label names, or returns null when the label names none we know. */
function decodeAs(bytes: Uint8Array, label: string): Decoded | null {
  const name = label.trim().toLowerCase();
  let whatwg: string | null;
  try {
    whatwg = new TextDecoder(name).encoding;
  } catch {
    whatwg = null;
  }
  // Node's TextDecoder resolves windows-1252 (and its aliases) but then decodes it as ISO-8859-1,
  // which turns 0x80–0x9F into C1 controls instead of “ ” – € …; iconv-lite has the real table.
  if (whatwg === 'windows-1252') return { text: iconv.decode(Buffer.from(bytes), 'windows-1252'), encoding: whatwg };
  if (whatwg) return { text: new TextDecoder(whatwg).decode(bytes), encoding: whatwg };
  return iconv.encodingExists(name) ? { text: iconv.decode(Buffer.from(bytes), name), encoding: name } : null;
}

function bomEncoding(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff) return 'utf-32be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) return 'utf-32le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return null;
}

function isWide(label: string): boolean {
  return /^(?:utf-?(?:16|32)(?:le|be)?|ucs-?[24]|unicode)$/i.test(label.trim());
}

/**
 * `<` in UTF-16 or UTF-32 without a byte-order mark (XML 1.0 Appendix F): 3C 00 00 00 is UTF-32LE,
 * 00 00 00 3C UTF-32BE, 3C 00 x 00 UTF-16LE, 00 3C 00 x UTF-16BE.
 */
function wideWithoutBom(bytes: Uint8Array): string | null {
  if (bytes.length < 4) return null;
  if (bytes[0] === 0x3c && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0) return 'utf-32le';
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0x3c) return 'utf-32be';
  if (bytes[0] === 0x3c && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) return 'utf-16le';
  if (bytes[0] === 0 && bytes[1] === 0x3c && bytes[2] === 0 && bytes[3] !== 0) return 'utf-16be';
  return null;
}

/** A bare "utf-16" or "utf-32" label says nothing of byte order: the bytes do (little-endian when they do not tell). */
function byteOrder(label: string, bytes: Uint8Array): string {
  const bare = /^\s*utf-?(16|32)\s*$/i.exec(label);
  if (!bare) return label;
  return wideWithoutBom(bytes) ?? `utf-${bare[1]}le`;
}

function declaredEncoding(bytes: Uint8Array): string | null {
  // Declarations are ASCII and sit at the start; latin1 maps bytes 1:1, so this never throws.
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1');
  const xml = /<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  if (xml) return xml[1]!;
  const meta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  return meta ? meta[1]! : null;
}

const C1 = /[\u0080-\u009f]/;
/** The windows-1252 characters for 0x80–0x9F (WHATWG index-windows-1252); the five unassigned ones stay. */
const WINDOWS_1252_C1 = new Map(
  [...iconv.decode(Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i)), 'windows-1252')].map((char, i) => [
    String.fromCharCode(0x80 + i),
    char === '\ufffd' ? String.fromCharCode(0x80 + i) : char,
  ]),
);

function windows1252C1(text: string): string {
  return C1.test(text) ? text.replace(/[\u0080-\u009f]/g, (char) => WINDOWS_1252_C1.get(char) ?? char) : text;
}

/** The charset parameter of a Content-Type header, if any. */
export function charsetOf(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const match = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType);
  return match ? match[1]! : null;
}
