import { createRequire } from 'node:module';
import type * as Recheck from 'recheck';
import { z } from 'zod';

/** The parts of an article a filter rule can read. */
const FILTER_FIELDS = ['title', 'summary', 'text', 'categories', 'author', 'link', 'language'] as const;
type FilterField = (typeof FILTER_FIELDS)[number];

/** What a rule reads when it names no fields (`in:`): the words a reader sees. */
const DEFAULT_FIELDS: readonly FilterField[] = ['title', 'summary', 'text', 'categories'];

/** An article as filters read it: each field as text ('' when absent). */
export type FilterFacts = Readonly<Record<FilterField, string>>;

/** The longest regular expression a filter accepts, in characters. */
const MAX_REGEX_LENGTH = 200;
/** A regular expression reads at most this much of a field, in UTF-16 code units (a bound on its time). */
const MAX_REGEX_INPUT = 20_000;
/** How long the ReDoS check of one expression may take at load, in ms; past it the expression is refused. */
const REGEX_CHECK_MS = 3_000;

const require = createRequire(import.meta.url);
/**
 * recheck, loaded on first use: it holds ~9 MB of heap, and only a config with a regex rule needs it,
 * so an idle bot without one never carries it (issue 17, idle memory).
 */
function recheck(): typeof Recheck {
  return require('recheck') as typeof Recheck;
}

/** A filter condition as compiled at load: leaves hold their compiled matcher; names are resolved. */
export type Condition =
  | { kind: 'words'; words: string[]; phrases: string[]; fields: readonly FilterField[] }
  | { kind: 'regex'; source: string; regex: RegExp; fields: readonly FilterField[] }
  | { kind: 'all' | 'any' | 'none'; of: Condition[] }
  | { kind: 'named'; name: string; condition: Condition | null };

/**
 * Text as word matching sees it: accents removed (NFKD, combining marks dropped), lower case, every
 * run of letters and digits a word, one space between words and one at each end, so that a word or
 * phrase is found whole with `includes(' word ')`.
 */
export function wordsOf(text: string): string {
  const words = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return ` ${words.join(' ')} `;
}

const fieldsSchema = z.array(z.enum(FILTER_FIELDS)).min(1).optional();

const wordsRule = z
  .strictObject({ words: z.union([z.string(), z.array(z.string()).min(1)]), in: fieldsSchema })
  .transform((rule, ctx): Condition => {
    const written = typeof rule.words === 'string' ? [rule.words] : rule.words;
    const phrases = written.map((word) => wordsOf(word));
    const empty = written.findIndex((_, i) => phrases[i]!.trim() === '');
    if (empty >= 0) {
      ctx.addIssue({ code: 'custom', path: ['words'], message: `${JSON.stringify(written[empty])} has no letters or digits to match` });
      return z.NEVER;
    }
    return { kind: 'words', words: written, phrases, fields: rule.in ?? DEFAULT_FIELDS };
  });

/**
 * A regular expression is compiled once, here, and refused when it could take super-linear time
 * on some input (exponential or polynomial backtracking, as the recheck ReDoS checker proves it),
 * when it is longer than MAX_REGEX_LENGTH, or when it does not compile. Flags: `i` and `u`.
 */
const regexRule = z.strictObject({ regex: z.string().min(1).max(MAX_REGEX_LENGTH, `expected a regular expression of at most ${MAX_REGEX_LENGTH} characters`), in: fieldsSchema }).transform((rule, ctx): Condition => {
  let regex: RegExp;
  try {
    regex = new RegExp(rule.regex, 'iu');
  } catch (error) {
    ctx.addIssue({ code: 'custom', path: ['regex'], message: `not a valid regular expression: ${(error as Error).message}` });
    return z.NEVER;
  }
  const check = recheck().checkSync(rule.regex, 'iu', { timeout: REGEX_CHECK_MS });
  if (check.status !== 'safe') {
    const why =
      check.status === 'vulnerable'
        ? `its matching time can grow ${check.complexity.type === 'exponential' ? 'exponentially' : `as the ${check.complexity.degree === 2 ? 'square' : `power ${check.complexity.degree}`}`} of the text's length`
        : 'it could not be proved to run in linear time';
    ctx.addIssue({ code: 'custom', path: ['regex'], message: `regular expression refused: ${why}; use words, or a regex without nested or adjacent repeats` });
    return z.NEVER;
  }
  return { kind: 'regex', source: rule.regex, regex, fields: rule.in ?? DEFAULT_FIELDS };
});

const GROUPS = ['all', 'any', 'none'] as const;
const nameSchema = z.string().regex(/^[a-z0-9-]+$/, 'expected the name of a filter under `filters:` (lower-case letters, digits, dashes)');

/** The schema for a condition written as `value`, chosen by its shape so that errors name the right key. */
function conditionShape(value: unknown): z.ZodType<Condition, unknown> {
  if (typeof value === 'string') return nameSchema.transform((name): Condition => ({ kind: 'named', name, condition: null }));
  if (Array.isArray(value)) return z.array(conditionSchema).min(1).transform((of): Condition => ({ kind: 'any', of }));
  const keys = value && typeof value === 'object' ? Object.keys(value) : [];
  const group = GROUPS.find((name) => keys.includes(name));
  if (group) return z.strictObject({ [group]: z.array(conditionSchema).min(1) }).transform((written): Condition => ({ kind: group, of: written[group]! }));
  if (keys.includes('regex')) return regexRule;
  if (keys.includes('words')) return wordsRule;
  return z.never({ error: 'expected a condition: { words: … }, { regex: … }, { all | any | none: [ … ] }, a list, or the name of a filter' });
}

/**
 * A filter condition as written in the config file: `{ words: … }`, `{ regex: … }`, a group
 * `{ all | any | none: [conditions] }`, a list (= any of them), or the name of a top-level filter.
 */
export const conditionSchema: z.ZodType<Condition, unknown> = z.unknown().transform((value, ctx): Condition => {
  const parsed = conditionShape(value).safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  return z.NEVER;
});

/** A route's filter: an item passes when it matches `include` (when given) and does not match `exclude`. */
export interface RouteFilter {
  include: Condition | null;
  exclude: Condition | null;
}

/** `filter:` of a route. */
export const routeFilterSchema = z
  .strictObject({ include: conditionSchema.optional(), exclude: conditionSchema.optional() })
  .transform((filter): RouteFilter => ({ include: filter.include ?? null, exclude: filter.exclude ?? null }));

/** Names used in a condition (to check them against `filters:` at load), with their paths. */
export function namesIn(condition: Condition, path: PropertyKey[] = []): Array<{ name: string; path: PropertyKey[] }> {
  switch (condition.kind) {
    case 'named':
      return [{ name: condition.name, path }];
    case 'all':
    case 'any':
    case 'none':
      return condition.of.flatMap((child, i) => namesIn(child, [...path, condition.kind, i]));
    default:
      return [];
  }
}

/** The condition with every name replaced by its top-level filter (which names no other filter). */
export function resolveNames(condition: Condition, named: ReadonlyMap<string, Condition>): Condition {
  switch (condition.kind) {
    case 'named':
      return { ...condition, condition: named.get(condition.name) ?? null };
    case 'all':
    case 'any':
    case 'none':
      return { ...condition, of: condition.of.map((child) => resolveNames(child, named)) };
    default:
      return condition;
  }
}

/** The outcome of a condition on an article: whether it matched, and the rule that decided (in words). */
interface Match {
  matched: boolean;
  rule: string;
}

function describeLeaf(condition: Extract<Condition, { kind: 'words' | 'regex' }>, field?: FilterField): string {
  const what = condition.kind === 'words' ? `words ${condition.words.map((word) => JSON.stringify(word)).join(', ')}` : `regex /${condition.source}/`;
  return field ? `${what} in ${field}` : `${what} (in ${condition.fields.join(', ')})`;
}

/**
 * Whether `condition` matches the article: words and phrases whole-word, case- and
 * accent-insensitive; regexes on each field's first 20,000 characters. `rule` names the leaf that
 * decided (the first match of `any`, the first miss of `all`, …). Pure.
 */
function evaluate(condition: Condition, facts: FilterFacts, words: (field: FilterField) => string = (field) => wordsOf(facts[field])): Match {
  switch (condition.kind) {
    case 'words': {
      for (const field of condition.fields) {
        const text = words(field);
        const found = condition.phrases.findIndex((phrase) => text.includes(phrase));
        if (found >= 0) return { matched: true, rule: `words ${JSON.stringify(condition.words[found])} in ${field}` };
      }
      return { matched: false, rule: `${describeLeaf(condition)} not found` };
    }
    case 'regex': {
      const field = condition.fields.find((name) => condition.regex.test(facts[name].slice(0, MAX_REGEX_INPUT)));
      return field ? { matched: true, rule: describeLeaf(condition, field) } : { matched: false, rule: `${describeLeaf(condition)} not found` };
    }
    case 'named': {
      const inner = condition.condition ? evaluate(condition.condition, facts, words) : { matched: false, rule: 'unknown filter' };
      return { matched: inner.matched, rule: `filter "${condition.name}": ${inner.rule}` };
    }
    case 'any': {
      const outcomes = condition.of.map((child) => evaluate(child, facts, words));
      const hit = outcomes.find((outcome) => outcome.matched);
      return hit ?? { matched: false, rule: outcomes.length === 1 ? outcomes[0]!.rule : `none of ${outcomes.map((o) => o.rule).join('; ')}` };
    }
    case 'all': {
      const outcomes = condition.of.map((child) => evaluate(child, facts, words));
      const miss = outcomes.find((outcome) => !outcome.matched);
      return miss ?? { matched: true, rule: outcomes.map((o) => o.rule).join(' and ') };
    }
    case 'none': {
      const outcomes = condition.of.map((child) => evaluate(child, facts, words));
      const hit = outcomes.find((outcome) => outcome.matched);
      return hit ? { matched: false, rule: `${hit.rule} (listed under none)` } : { matched: true, rule: `none of ${outcomes.map((o) => o.rule).join('; ')}` };
    }
  }
}

/** Whether `condition` matches the article (see evaluate). Pure. */
export function matches(condition: Condition, facts: FilterFacts): boolean {
  return evaluate(condition, facts).matched;
}

/** Whether a route's filter lets an article through, and why, in words for logs and /why. */
export type FilterVerdict = { pass: true; reason: string | null } | { pass: false; reason: string };

/**
 * Applies a route's filter to an article: `exclude` first (a match holds the article back), then
 * `include` (a miss holds it back). `reason` is null when the route has no filter. Pure.
 */
export function applyFilter(filter: RouteFilter | null, facts: FilterFacts): FilterVerdict {
  if (!filter || (!filter.include && !filter.exclude)) return { pass: true, reason: null };
  const cache = new Map<FilterField, string>();
  const words = (field: FilterField) => cache.get(field) ?? cache.set(field, wordsOf(facts[field])).get(field)!;
  if (filter.exclude) {
    const excluded = evaluate(filter.exclude, facts, words);
    if (excluded.matched) return { pass: false, reason: `held back by exclude: ${excluded.rule}` };
  }
  if (filter.include) {
    const included = evaluate(filter.include, facts, words);
    return included.matched ? { pass: true, reason: `let through by include: ${included.rule}` } : { pass: false, reason: `held back by include: ${included.rule}` };
  }
  return { pass: true, reason: 'let through: no exclude rule matched' };
}
