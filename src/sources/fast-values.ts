// How feedsmith 3 reads the raw text of an element or attribute, for the fast RSS reader (fast-rss.ts),
// which must give the values feedsmith gives: its parseString, number and boolean coercions, and the
// person it reads from an RSS <author>.
import { decodeHTML } from 'entities';
import { parseRssFeed, type RssFeed } from 'feedsmith';

const CDATA_START = '<![CDATA[';
const CDATA_END = ']]>';

function hasEntities(text: string): boolean {
  const amp = text.indexOf('&');
  return amp !== -1 && text.indexOf(';', amp) !== -1;
}

function decodeOutsideCdata(text: string): string {
  let at = text.indexOf(CDATA_START);
  if (at === -1) return hasEntities(text) ? decodeHTML(text) : text;
  let result = '';
  let last = 0;
  while (at !== -1) {
    const before = text.slice(last, at);
    result += hasEntities(before) ? decodeHTML(before) : before;
    const end = text.indexOf(CDATA_END, at + CDATA_START.length);
    if (end === -1) return hasEntities(text) ? decodeHTML(text) : text;
    result += text.slice(at + CDATA_START.length, end);
    last = end + CDATA_END.length;
    at = text.indexOf(CDATA_START, last);
  }
  const after = text.slice(last);
  return result + (hasEntities(after) ? decodeHTML(after) : after);
}

function withoutComments(text: string): string {
  let at = text.indexOf('<!--');
  if (at === -1) return text;
  let result = '';
  let last = 0;
  while (at !== -1) {
    result += text.slice(last, at);
    const end = text.indexOf('-->', at + 4);
    if (end === -1) return text;
    last = end + 3;
    at = text.indexOf('<!--', last);
  }
  return result + text.slice(last);
}

/**
 * The value of an element's raw text or an attribute's raw value, as feedsmith 3 reads it (its
 * `parseString`): comments removed, CDATA sections kept verbatim, HTML entities decoded elsewhere
 * (WHATWG named character references, through `entities`), trimmed; undefined when empty.
 */
export function feedText(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  return decodeOutsideCdata(withoutComments(raw)).trim() || undefined;
}

const WHITESPACE_ONLY = /^\p{White_Space}*$/u;

/** A number as feedsmith 3 reads it (JavaScript's unary plus on non-blank text); undefined when not one. */
export function feedNumber(raw: string | undefined): number | undefined {
  if (!raw || WHITESPACE_ONLY.test(raw)) return undefined;
  const value = +raw;
  return Number.isNaN(value) ? undefined : value;
}

const TRUE = /^\p{White_Space}*true\p{White_Space}*$/iu;
const FALSE = /^\p{White_Space}*false\p{White_Space}*$/iu;

/** An attribute's boolean as feedsmith 3 reads it: "true" or "false" (any case, blanks around), else undefined. */
export function feedBoolean(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  if (TRUE.test(raw)) return true;
  return FALSE.test(raw) ? false : undefined;
}


type Person = NonNullable<RssFeed.Item<string>['authors']>[number];

/** Most distinct `<author>` texts remembered; feeds repeat a few names, so this is only a bound. */
const MAX_PEOPLE = 1_000;
const people = new Map<string, Person | undefined>();

/**
 * The person feedsmith reads from an RSS `<author>` ("jane@example.com (Jane Doe)", a name, a URL…):
 * feedsmith itself reads it, from a one-item document, once per distinct text.
 */
function personOf(raw: string): Person | undefined {
  if (people.has(raw)) return people.get(raw);
  if (people.size >= MAX_PEOPLE) people.clear();
  // The channel title keeps the document a feed when the author gives nothing (and the item is left out).
  const person = parseRssFeed(`<rss version="2.0"><channel><title>-</title><item><author>${raw}</author></item></channel></rss>`).items?.[0]?.authors?.[0];
  people.set(raw, person);
  return person;
}

/** The first of an item's authors that feedsmith keeps (it leaves out those it reads nothing from). */
export function firstPerson(raws: string[]): Person | undefined {
  for (const raw of raws) {
    const person = personOf(raw);
    if (person) return person;
  }
  return undefined;
}

