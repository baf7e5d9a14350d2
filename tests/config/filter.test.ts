import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, routeArticle } from '../../src/config/config.js';
import { applyFilter, conditionSchema, routeFilterSchema, type FilterFacts } from '../../src/config/filter.js';
import { TARGET_KINDS } from '../../src/targets/index.js';

const facts = (parts: Partial<FilterFacts>): FilterFacts => ({ title: '', summary: '', text: '', categories: '', author: '', link: '', language: '', ...parts });
const filter = (written: unknown) => routeFilterSchema.parse(written);
const CHANNEL = '123456789012345678';

function configError(raw: unknown): string {
  try {
    parseConfig(raw, 'herald.yaml', TARGET_KINDS);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('route filters', () => {
  it('match words whole, whatever their case and accents', () => {
    const include = filter({ include: { words: ['café', 'Rust'] } });
    expect(applyFilter(include, facts({ title: 'The CAFE on the corner' }))).toEqual({ pass: true, reason: 'let through by include: words "café" in title' });
    expect(applyFilter(include, facts({ summary: 'Written in rust, of course' })).pass).toBe(true);
    expect(applyFilter(include, facts({ title: 'A trusted source', summary: 'Cafés open late' }))).toEqual({
      pass: false,
      reason: 'held back by include: words "café", "Rust" (in title, summary, text, categories) not found',
    });
  });

  it('match a phrase as consecutive whole words, across punctuation', () => {
    const include = filter({ include: { words: 'memory safety' } });
    expect(applyFilter(include, facts({ text: 'Better memory-safety in the kernel' })).pass).toBe(true);
    expect(applyFilter(include, facts({ text: 'memory and safety' })).pass).toBe(false);
  });

  it('read only the fields a rule names', () => {
    const exclude = filter({ exclude: { words: 'sport', in: ['categories'] } });
    expect(applyFilter(exclude, facts({ title: 'Sport as a metaphor' })).pass).toBe(true);
    expect(applyFilter(exclude, facts({ categories: 'News\nSport' }))).toEqual({ pass: false, reason: 'held back by exclude: words "sport" in categories' });
    const english = filter({ include: { words: 'en', in: ['language'] } });
    expect(applyFilter(english, facts({ language: 'en-GB' })).pass).toBe(true);
    expect(applyFilter(english, facts({ language: 'de' })).pass).toBe(false);
  });

  it('combine rules with all, any and none, and a list meaning any', () => {
    const both = filter({ include: { all: [{ words: 'rust' }, { regex: 'CVE-\\d{4}-\\d+', in: ['title'] }] } });
    expect(applyFilter(both, facts({ title: 'CVE-2026-1234 fixed', text: 'a Rust crate' }))).toEqual({ pass: true, reason: 'let through by include: words "rust" in text and regex /CVE-\\d{4}-\\d+/ in title' });
    expect(applyFilter(both, facts({ title: 'CVE-2026-1234 fixed' })).reason).toBe('held back by include: words "rust" (in title, summary, text, categories) not found');
    const list = filter({ include: [{ words: 'go' }, { words: 'zig' }] });
    expect(applyFilter(list, facts({ title: 'Zig 1.0' })).pass).toBe(true);
    const none = filter({ include: { none: [{ words: 'opinion' }, { words: 'sponsored' }] } });
    expect(applyFilter(none, facts({ title: 'News' })).pass).toBe(true);
    expect(applyFilter(none, facts({ title: 'Sponsored: a gadget' }))).toEqual({ pass: false, reason: 'held back by include: words "sponsored" in title (listed under none)' });
  });

  it('apply exclude before include', () => {
    const both = filter({ include: { words: 'election' }, exclude: { words: 'live blog' } });
    expect(applyFilter(both, facts({ title: 'Election live blog' })).reason).toBe('held back by exclude: words "live blog" in title');
    expect(applyFilter(both, facts({ title: 'Election results' })).pass).toBe(true);
    expect(applyFilter(null, facts({ title: 'anything' }))).toEqual({ pass: true, reason: null });
  });

  it('refuse a regular expression that can backtrack catastrophically, at load, naming the key', () => {
    const feeds = [{ id: 'a', url: 'https://a.example/rss' }];
    // The guard's outcome, not its speed: each pattern that could backtrack is refused at load, before it ever runs.
    expect(configError({ feeds, routes: [{ feeds: ['a'], discord: [CHANNEL], filter: { include: { regex: '^(a|a)*$' } } }] })).toMatch(
      /^herald\.yaml: routes\[0\]\.filter\.include\.regex: regular expression refused: its matching time can grow exponentially/,
    );
    expect(configError({ feeds, routes: [{ feeds: ['a'], discord: [CHANNEL], filter: { exclude: { any: [{ words: 'x' }, { regex: '\\d+\\d+\\d+$' }] } } }] })).toMatch(
      /^herald\.yaml: routes\[0\]\.filter\.exclude\.any\[1\]\.regex: regular expression refused: its matching time can grow as the power \d of the text's length; use words/,
    );
    expect(configError({ feeds, routes: [{ feeds: ['a'], discord: [CHANNEL], filter: { include: { regex: 'a'.repeat(201) } } }] })).toMatch(/routes\[0\]\.filter\.include\.regex: expected a regular expression of at most 200 characters/);
    expect(configError({ feeds, routes: [{ feeds: ['a'], discord: [CHANNEL], filter: { include: { regex: '(unclosed' } } }] })).toMatch(/routes\[0\]\.filter\.include\.regex: not a valid regular expression/);
  });

  it('say what is wrong with a condition', () => {
    expect(() => conditionSchema.parse({ word: 'x' })).toThrow(/expected a condition: \{ words: … \}/);
    const feeds = [{ id: 'a', url: 'https://a.example/rss' }];
    expect(configError({ feeds, routes: [{ feeds: ['a'], discord: [CHANNEL], filter: { include: { words: 'x', in: ['body'] } } }] })).toMatch(/^herald\.yaml: routes\[0\]\.filter\.include\.in\[0\]:/);
    expect(configError({ feeds, routes: [{ feeds: ['a'], discord: [CHANNEL], filter: { include: 'breaking' } }] })).toBe('herald.yaml: routes[0].filter.include: unknown filter "breaking" (filters: none defined)');
    expect(configError({ feeds, filters: { a: 'b', b: { words: 'x' } } })).toBe('herald.yaml: filters.a: a filter cannot name another filter ("b"): write its rules here');
  });

  it('route each destination by the first route that lets the article through', () => {
    const config = parseConfig(
      {
        feeds: [{ id: 'a', url: 'https://a.example/rss' }],
        filters: { breaking: { words: 'breaking', in: ['title'] } },
        routes: [
          { feeds: ['a'], to: [{ discord: CHANNEL }], filter: { include: 'breaking' } },
          { feeds: ['*'], to: [{ discord: CHANNEL }, { x: {} }], filter: { exclude: { words: 'sport' } } },
        ],
      },
      'herald.yaml',
      TARGET_KINDS,
    );
    const routed = (title: string) => routeArticle(config, 'a', facts({ title })).map(({ kind, verdict }) => [kind, verdict.pass, verdict.reason]);
    expect(routed('Breaking: sport results')).toEqual([
      ['discord', true, 'let through by include: filter "breaking": words "breaking" in title'],
      ['x', false, 'held back by exclude: words "sport" in title'],
    ]);
    expect(routed('Sport results')).toEqual([
      ['discord', false, 'held back by include: filter "breaking": words "breaking" (in title) not found'],
      ['x', false, 'held back by exclude: words "sport" in title'],
    ]);
    expect(routed('Weather')).toEqual([
      ['discord', true, 'let through: no exclude rule matched'],
      ['x', true, 'let through: no exclude rule matched'],
    ]);
  });
});

describe('Discord destinations in routes', () => {
  it('name the key at fault, and check the filter a role ping names', () => {
    const feeds = [{ id: 'a', url: 'https://a.example/rss' }];
    expect(configError({ feeds, routes: [{ feeds: ['a'], to: [{ discord: { channel: CHANNEL, message: { embed: { title: 'New: {headline}' } } } }] }] })).toMatch(
      /^herald\.yaml: routes\[0\]\.to\[0\]\.discord\.message\.embed\.title: unknown placeholder \{headline\}/,
    );
    expect(configError({ feeds, routes: [{ feeds: ['a'], to: [{ discord: { channel: CHANNEL, mention: { roles: [CHANNEL], when: 'breaking' } } }] }] })).toBe(
      'herald.yaml: routes[0].to[0]: unknown filter "breaking" (filters: none defined)',
    );
  });

  it('check forum tags at load: category → tag name, names as long as Discord allows', () => {
    const feeds = [{ id: 'a', url: 'https://a.example/rss' }];
    const withTags = (tags: unknown) => configError({ feeds, routes: [{ feeds: ['a'], to: [{ discord: { channel: CHANNEL, tags } }] }] });
    expect(withTags({ Security: 'A tag name longer than twenty' })).toMatch(/^herald\.yaml: routes\[0\]\.to\[0\]\.discord\.tags\.Security: expected a forum tag name of at most 20 characters \(Discord's limit\)/);
    expect(withTags({ Security: '' })).toMatch(/^herald\.yaml: routes\[0\]\.to\[0\]\.discord\.tags\.Security: expected a forum tag name/);
    expect(withTags(['CVE'])).toMatch(/^herald\.yaml: routes\[0\]\.to\[0\]\.discord\.tags: /);
    expect(withTags({})).toMatch(/^herald\.yaml: routes\[0\]\.to\[0\]\.discord\.tags: expected at least one category: tag name pair/);
  });
});
