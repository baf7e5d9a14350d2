/** The values that hide, in any case: without one of them (or an escape that may spell one) no declaration can hide. */
const HIDING_VALUE = /none|hidden|collapse|\\/i;

/** A CSS escape: a backslash and 1–6 hex digits (one white space after them is part of it), or any other character (CSS Syntax 3 §4.3.7). */
const CSS_ESCAPE = /\\(?:([\da-f]{1,6})[ \t\n\r\f]?|([^\n\r\f\da-f]))/gi;

/** `!important` at the end of a declaration's value, spaces and comments between `!` and the keyword allowed (CSS Syntax 3 §5.4.6). */
const IMPORTANT = /!\s*important\s*$/i;

/**
 * Whether an inline `style` attribute hides its element from readers: `display: none`,
 * `visibility: hidden` or `collapse`, `content-visibility: hidden`, read as a browser reads the
 * declarations. Comments are dropped and escapes read (`n\one`, `\6e one`); a
 * declaration that cannot be read (no colon, an unclosed string) is skipped and the rest still
 * count (CSS Syntax Module Level 3, §5.4.5 "consume a list of declarations"); property names ignore
 * case; of two declarations of one property the later wins unless only the earlier is `!important`
 * (CSS Cascade 4, §6.4). Pure; takes the attribute's value, returns true when the element is hidden.
 */
export function styleHides(style: string): boolean {
  // Most styles say neither value: they are not read further.
  if (!HIDING_VALUE.test(style)) return false;
  const found = new Map<string, { value: string; important: boolean }>();
  for (const declaration of declarations(style.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' '))) {
    const colon = declaration.indexOf(':');
    if (colon < 0) continue;
    const property = cssTrim(unescapeCss(declaration.slice(0, colon))).toLowerCase();
    if (property !== 'display' && property !== 'visibility' && property !== 'content-visibility') continue;
    let value = cssTrim(unescapeCss(declaration.slice(colon + 1)));
    const important = IMPORTANT.test(value);
    if (important) value = cssTrim(value.replace(IMPORTANT, ''));
    if (!found.get(property)?.important || important) found.set(property, { value: value.toLowerCase(), important });
  }
  const visibility = found.get('visibility')?.value;
  return found.get('display')?.value === 'none' || visibility === 'hidden' || visibility === 'collapse' || found.get('content-visibility')?.value === 'hidden';
}

/** White space trimmed as CSS counts it (space, tab, line breaks; not U+00A0, which makes a value invalid). */
function cssTrim(text: string): string {
  return text.replace(/^[ \t\n\r\f]+|[ \t\n\r\f]+$/g, '');
}

/** CSS escapes replaced by the characters they stand for. */
function unescapeCss(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(CSS_ESCAPE, (_, hex: string | undefined, char: string | undefined) => {
    if (char !== undefined) return char;
    const code = parseInt(hex!, 16);
    return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\uFFFD' : String.fromCodePoint(code);
  });
}

/** The declarations of a style attribute: split at semicolons outside quotes and brackets. */
function declarations(style: string): string[] {
  const found: string[] = [];
  let start = 0;
  let quote: string | null = null;
  let depth = 0;
  for (let i = 0; i < style.length; i++) {
    const char = style[i]!;
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '(' || char === '[' || char === '{') depth++;
    else if ((char === ')' || char === ']' || char === '}') && depth > 0) depth--;
    else if (char === ';' && depth === 0) {
      found.push(style.slice(start, i));
      start = i + 1;
    }
  }
  // An unclosed string or bracket makes the last declaration unreadable: it is dropped.
  if (!quote && depth === 0) found.push(style.slice(start));
  return found;
}
