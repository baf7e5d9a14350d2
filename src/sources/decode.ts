/**
 * Turns feed or page bytes into a string using the encoding the document declares.
 * Order: byte-order mark, then the XML declaration or <meta charset>, then the HTTP charset, then UTF-8.
 * Feeds often sit behind servers that send a wrong HTTP charset; the document's own word is more reliable.
 */
export function decodeBytes(bytes: Uint8Array, httpCharset?: string | null): string {
  const fromBom = bomEncoding(bytes);
  const declared = declaredEncoding(bytes);
  for (const label of [fromBom, declared, httpCharset]) {
    if (!label) continue;
    const decoder = tryDecoder(label);
    if (decoder) return decoder.decode(bytes);
  }
  // Undeclared: UTF-8 when the bytes are valid UTF-8, else the web's usual legacy default.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function tryDecoder(label: string): InstanceType<typeof TextDecoder> | null {
  try {
    return new TextDecoder(label.trim().toLowerCase());
  } catch {
    return null;
  }
}

function bomEncoding(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return null;
}

function declaredEncoding(bytes: Uint8Array): string | null {
  // Declarations are ASCII and sit at the start; latin1 maps bytes 1:1, so this never throws.
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1');
  const xml = /<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  if (xml) return xml[1]!;
  const meta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  return meta ? meta[1]! : null;
}

/** The charset parameter of a Content-Type header, if any. */
export function charsetOf(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const match = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType);
  return match ? match[1]! : null;
}
