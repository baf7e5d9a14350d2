import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import { parseRedirect } from '../../src/cli/x-login.js';
import type { QueuedDelivery } from '../../src/deliveries/policy.js';
import { allowance, budgetPolicy, chooseWithinAllowance, usagePeriods } from '../../src/targets/x/budget.js';
import { altText, hashtagsFor, MAX_ALT_TEXT, renderXPost, weightedLength } from '../../src/targets/x/render.js';
import { X_PRICES } from '../../src/targets/x/settings.js';
import { isWellFormed } from '../unicode.js';

const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);
const base = { maxPostsPerDay: null, maxPostsPerMonth: null, monthlyBudgetUsd: null, prices: X_PRICES, images: false, thread: false };
const none = { day: { posts: 0, usd: 0 }, month: { posts: 0, usd: 0 } };

describe('X budget', () => {
  /** A queued X delivery: id, feed priority, publication time (ms). */
  const queued = (id: number, priority: number, publishedAt: number): QueuedDelivery => ({
    delivery: { id, articleId: `a${id}`, target: 'x', status: 'pending', attempts: 0, nextAttemptAt: 0, lastError: null, remoteId: null, unknownOutcome: false, options: null },
    article: { id: `a${id}`, feedId: 'f', url: 'https://x.example/', title: 't', summary: '', author: null, siteName: null, imageUrl: null, publishedAt, firstSeenAt: publishedAt },
    options: { template: null, style: { name: 'f', color: 0 }, priority },
  });
  const usedToday = (posts: number) => ({
    async xUsage(periods: string[]) {
      return new Map(periods.map((period) => [period, { posts, usd: 0 }]));
    },
  });

  it('as a policy: waits for the window while a cap is reached, triages by priority then recency when fewer may go than wait', async () => {
    const settings = () => ({ ...base, mentions: false, hashtags: new Map<string, string>(), maxPostsPerDay: 3 });
    const queue = [queued(1, 0, 100), queued(2, 5, 50), queued(3, 0, 300)];
    const full = budgetPolicy({ store: usedToday(3), settings, now: () => NOW });
    expect(await full.admit(queue[0]!, async () => queue)).toEqual({ kind: 'wait', until: Date.UTC(2026, 10, 26), reason: 'waiting for the daily cap of 3 X posts (x.maxPostsPerDay) to reset' });
    const one = budgetPolicy({ store: usedToday(2), settings, now: () => NOW });
    const verdict = await one.admit(queue[0]!, async () => queue);
    expect(verdict).toMatchObject({ kind: 'triage', logMessage: 'X post skipped' });
    expect([...(verdict as Extract<typeof verdict, { kind: 'triage' }>).skip].sort()).toEqual([1, 3]);
    const room = budgetPolicy({ store: usedToday(0), settings, now: () => NOW });
    expect(await room.admit(queue[0]!, async () => queue)).toEqual({ kind: 'send' });
  });

  it('names UTC day and month windows and when they end', () => {
    expect(usagePeriods(NOW)).toEqual({ day: 'day:2026-11-25', month: 'month:2026-11', dayEnds: Date.UTC(2026, 10, 26), monthEnds: Date.UTC(2026, 11, 1) });
  });

  it('has no limit without caps', () => {
    expect(allowance(base, none, NOW).articles).toBe(Infinity);
  });

  it('takes the tightest of the daily, monthly and money caps', () => {
    const used = { day: { posts: 3, usd: 0.6 }, month: { posts: 40, usd: 8 } };
    expect(allowance({ ...base, maxPostsPerDay: 5 }, used, NOW)).toMatchObject({ articles: 2, resetAt: Date.UTC(2026, 10, 26) });
    expect(allowance({ ...base, maxPostsPerDay: 5, maxPostsPerMonth: 41 }, used, NOW)).toMatchObject({ articles: 1, resetAt: Date.UTC(2026, 11, 1) });
    // $10 a month at $0.20 a post with a link, $8 spent: 10 more posts.
    expect(allowance({ ...base, monthlyBudgetUsd: 10 }, used, NOW).articles).toBe(10);
    expect(allowance({ ...base, monthlyBudgetUsd: 10 }, used, NOW).reason).toContain('$10');
    // A thread reply is a second post and costs $0.015 more.
    expect(allowance({ ...base, monthlyBudgetUsd: 10, thread: true }, used, NOW).articles).toBe(9);
    expect(allowance({ ...base, maxPostsPerDay: 5, thread: true }, used, NOW).articles).toBe(1);
    expect(allowance({ ...base, maxPostsPerDay: 2 }, used, NOW).articles).toBe(0);
  });

  it('chooses by priority, then the newest', () => {
    const waiting = [
      { id: 1, priority: 0, time: 100 },
      { id: 2, priority: 5, time: 50 },
      { id: 3, priority: 0, time: 300 },
      { id: 4, priority: 0, time: 200 },
    ];
    expect(chooseWithinAllowance(waiting, 2)).toEqual(new Set([2, 3]));
    expect(chooseWithinAllowance(waiting, 0)).toEqual(new Set());
  });
});

describe('X post rendering', () => {
  const article = {
    title: 'Council approves night buses',
    summary: 'The council voted on Monday. Buses start in March. Riders welcomed the news.',
    url: 'https://news.example/buses',
    siteName: 'Riverside Courier',
    categories: ['Transport', 'City', 'transport'],
  };

  it('fills a route template and maps categories to hashtags', () => {
    const hashtags = new Map([['transport', '#transit'], ['city', '#riverside']]);
    expect(hashtagsFor(article.categories, hashtags)).toBe('#transit #riverside');
    const post = renderXPost(article, { template: '{site}: {title} {url} {hashtags}', hashtags });
    expect(post).toEqual({ text: 'Riverside Courier: Council approves night buses https://news.example/buses #transit #riverside', reply: null });
    expect(renderXPost(article).text).toBe(`${article.title}\n\n${article.summary}\n\n${article.url}`);
  });

  it('continues the summary in a reply in thread mode, never cutting a word', () => {
    const long = { ...article, summary: Array.from({ length: 8 }, (_, i) => `Sentence number ${i + 1} tells more of the story here.`).join(' ') };
    const post = renderXPost(long, { thread: true });
    expect(weightedLength(post.text)).toBeLessThanOrEqual(280);
    expect(post.reply).not.toBeNull();
    expect(weightedLength(post.reply!)).toBeLessThanOrEqual(280);
    const posted = post.text.split('\n\n')[1]!;
    const postedCount = posted.split(/(?<=here\.) /).length;
    expect(posted).toBe(long.summary.split(/(?<=here\.) /).slice(0, postedCount).join(' '));
    // The reply picks up at the first sentence the post had no room for.
    expect(post.reply!.startsWith(`Sentence number ${postedCount + 1} `)).toBe(true);
    expect(renderXPost(long).reply).toBeNull();
  });

  it('shortens a title of only emoji, or without spaces, with "…" instead of dropping it', () => {
    for (const title of ['🎉'.repeat(200), '👨‍👩‍👧‍👦'.repeat(200), 'x'.repeat(400), '🇺🇦'.repeat(150)]) {
      const post = renderXPost({ ...article, title, summary: '' }).text;
      expect(weightedLength(post)).toBeLessThanOrEqual(280);
      const [shown] = post.split('\n\n');
      expect(shown!.endsWith('…')).toBe(true);
      expect(title.startsWith(shown!.slice(0, -1))).toBe(true);
      expect(shown!.length).toBeGreaterThan(50);
    }
  });
});

describe('image alt text on X', () => {
  it('is the title, cut between whole graphemes to 1,000 characters', () => {
    expect(altText({ title: 'Council approves night buses' })).toBe('Council approves night buses');
    for (const lead of [997, 998, 999]) {
      const alt = altText({ title: `${'a'.repeat(lead)}🎉🎉🎉` });
      expect(alt.length).toBeLessThanOrEqual(MAX_ALT_TEXT);
      expect(isWellFormed(alt)).toBe(true);
      expect(alt.endsWith('…')).toBe(true);
    }
  });
});

describe('mentions in feed text on X', () => {
  const article = {
    title: 'Talks with @elonmusk and ＠jack, cc @everyone @here',
    summary: 'Write to news@example.com or see https://medium.com/@writer/story. RT@nytimes: more #news on $AAPL from @reuters/lists.',
    url: 'https://news.example.com/talks',
    siteName: 'The @Courier',
    categories: [],
  };
  const unlinked = (text: string) => text.replaceAll('\u200B', '');
  /** The accounts (and lists) X would link in `text`, by its own parsing rules. */
  const mentioned = (text: string) => twitterText.extractEntitiesWithIndices(text).flatMap((entity) => (entity.screenName === undefined ? [] : [`${entity.screenName}${entity.listSlug ?? ''}`]));

  it('mention no account by default, and read the same', () => {
    const post = renderXPost(article, { template: '{site}: {title}\n\n{summary}\n\n{url} via @herald_news' });
    // Only the route template's own mention stays a mention; none from the feed text does.
    expect(mentioned(post.text)).toEqual(['herald_news']);
    expect(unlinked(post.text)).toBe(`${article.siteName}: ${article.title}\n\n${article.summary}\n\n${article.url} via @herald_news`);
    // URLs, e-mail addresses, hashtags and cashtags stay linked as they were.
    expect(twitterText.extractUrls(post.text)).toEqual(twitterText.extractUrls(article.summary).concat(article.url));
    expect(twitterText.extractHashtags(post.text)).toEqual(['news']);
    expect(twitterText.extractCashtags(post.text)).toEqual(['AAPL']);
  });

  it('mention no account in a thread reply or in a cut, and count the break in the 280', () => {
    const long = { ...article, title: `${'Update from @cityhall '.repeat(20)}`, summary: `${'Ask @mayor about it now. '.repeat(30)}` };
    const post = renderXPost(long, { thread: true });
    expect(weightedLength(post.text)).toBeLessThanOrEqual(280);
    expect(weightedLength(post.reply!)).toBeLessThanOrEqual(280);
    expect(mentioned(post.text)).toEqual([]);
    expect(mentioned(post.reply!)).toEqual([]);
    // Whatever the cut keeps is no mention: "@jack@ann" mentions nobody, but "@jack…" would.
    for (let lead = 240; lead <= 252; lead++) {
      const cut = renderXPost({ ...article, title: `${'a'.repeat(lead)} @jack@ann ${'b'.repeat(50)}`, summary: '' }).text;
      expect(weightedLength(cut)).toBeLessThanOrEqual(280);
      expect(mentioned(cut)).toEqual([]);
    }
  });

  it('mention accounts when x.mentions is on', () => {
    const post = renderXPost(article, { mentions: true });
    expect(mentioned(post.text)).toEqual(['elonmusk', 'jack', 'everyone', 'here', 'nytimes', 'reuters/lists']);
  });
});

describe('herald x login input', () => {
  it('takes the redirect URL or the bare code', () => {
    expect(parseRedirect('http://127.0.0.1:8788/callback?state=abc&code=XYZ-123')).toEqual({ code: 'XYZ-123', state: 'abc' });
    expect(parseRedirect('  XYZ-123 ')).toEqual({ code: 'XYZ-123', state: null });
    expect(parseRedirect('http://127.0.0.1:8788/callback?error=access_denied')).toBeNull();
    expect(parseRedirect('')).toBeNull();
  });
});
