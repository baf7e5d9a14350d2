/** The values that hide, in any case: without one of them no declaration can hide. */
const HIDING_VALUE = /none|hidden/i;

/** `!important` at the end of a declaration's value, spaces and comments between `!` and the keyword allowed (CSS Syntax 3 §5.4.6). */
const IMPORTANT = /!\s*important\s*$/i;

/**
 * Whether an inline `style` attribute hides its element from readers: `display: none` or
 * `visibility: hidden`, read as a browser reads the declarations. Comments are dropped; a
 * declaration that cannot be read (no colon, an unclosed string) is skipped and the rest still
 * count (CSS Syntax Module Level 3, §5.4.5 "consume a list of declarations"); property names ignore
 * case; of two declarations of one property the later wins unless only the earlier is `!important`
 * (CSS Cascade 4, §6.4). Pure; takes the attribute's value, returns true when the element is hidden.
 */
export function styleHides(style: string): boolean {
  // Most styles say neither value: they are not read further.
  if (!HIDING_VALUE.test(style)) return false;
  let display: { value: string; important: boolean } | null = null;
  let visibility: { value: string; important: boolean } | null = null;
  for (const declaration of declarations(style.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' '))) {
    const colon = declaration.indexOf(':');
    if (colon < 0) continue;
    const property = declaration.slice(0, colon).trim().toLowerCase();
    if (property !== 'display' && property !== 'visibility') continue;
    let value = declaration.slice(colon + 1).trim();
    const important = IMPORTANT.test(value);
    if (important) value = value.replace(IMPORTANT, '').trim();
    const read = { value: value.toLowerCase(), important };
    if (property === 'display') {
      if (!display?.important || important) display = read;
    } else if (!visibility?.important || important) visibility = read;
  }
  return display?.value === 'none' || visibility?.value === 'hidden';
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
