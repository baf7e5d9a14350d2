import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageMismatch } from '../../src/articles/landing.js';
import { createExtractionPool } from '../../src/pipeline/extraction.js';
import { articlePreparer } from '../../src/pipeline/pages.js';
import { DISCORD_SUMMARY } from '../../src/articles/summarize.js';
import type { FeedItem } from '../../src/sources/feed.js';
import { createHttpClient, type HttpClient } from '../../src/sources/http.js';
import { close, createServer, listen } from '../fakes/http.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');
/** The story as the feed describes it: its paragraphs, as a feed's content. */
const storyHtml = (lang: string) => fixture(`furniture/${lang}.txt`).trim().split('\n\n').map((p) => `<p>${p}</p>`).join('');

const ITEMS = {
  en: { title: 'Port workers end strike after pay deal', content: storyHtml('en') },
  de: { title: 'Bahn kündigt neue Verbindungen nach Prag an', content: storyHtml('de') },
  uk: { title: 'У Львові відкрили новий міст через залізницю', content: storyHtml('uk') },
  fr: { title: 'Lyon : la ville plante 5 000 arbres cet hiver', content: storyHtml('fr') },
  es: { title: 'Valencia amplía el carril bici hasta el puerto', content: storyHtml('es') },
};

let server: Server;
let base = '';
let otherSite = '';
let http: HttpClient;
const extraction = createExtractionPool({ timeoutMs: 10_000, maxDepth: 400, threads: 1 });

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const page = (file: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(fixture(file));
    const redirect = (location: string) => res.writeHead(302, { location }).end();
    const routes: Record<string, () => void> = {
      '/news/port-strike': () => redirect(`/consent?continue=${encodeURIComponent(`${base}/news/port-strike`)}`),
      '/consent': () => page('landing/consent-en.html'),
      '/wirtschaft/bahn-prag': () => redirect('/konto/login?ziel=/wirtschaft/bahn-prag'),
      '/konto/login': () => page('landing/login-de.html'),
      '/novyny/mist': () => page('landing/captcha-uk.html'),
      '/lyon/arbres': () => page('landing/region-fr.html'),
      '/valencia/carril-bici': () => redirect(`${otherSite}/`),
      '/valencia/removed': () => redirect('/'),
      '/': () => page('landing/front-es.html'),
      // The article itself, also behind a harmless redirect and under a slug that names a wall.
      '/news/port-strike-story': () => page('furniture/en.html'),
      '/news/port-strike-moved': () => redirect('/news/port-strike-story/'),
      '/news/port-strike-story/': () => page('furniture/en.html'),
      '/news/port-strike-login-cookies': () => page('furniture/en.html'),
    };
    (routes[path] ?? (() => res.writeHead(404).end()))();
  });
  const port = await listen(server);
  base = `http://127.0.0.1:${port}`;
  otherSite = `http://localhost:${port}`;
  http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: true });
});

afterAll(async () => {
  await http.close();
  await extraction.close();
  await close(server);
});

function item(path: string, lang: keyof typeof ITEMS): FeedItem {
  const { title, content } = ITEMS[lang];
  return { id: path, title, url: `${base}${path}`, publishedAt: null, updatedAt: null, author: null, summary: null, contentHtml: content, imageUrl: null, categories: [] };
}

async function build(path: string, lang: keyof typeof ITEMS) {
  const preparer = articlePreparer({ http, extraction, pageLimits: { maxBytes: 1_000_000, timeoutMs: 10_000 }, summary: DISCORD_SUMMARY });
  const { article, pageFailure, pageRejected } = await preparer.prepare({ feedId: 'f', feedName: 'F', siteName: null, item: item(path, lang) }, { privateNetwork: true });
  expect(pageFailure).toBeNull();
  return { article: article!, pageRejected, lead: fixture(`furniture/${lang}.txt`).slice(0, 60) };
}

describe('an article URL that lands on something other than the article', () => {
  it.each([
    ['/news/port-strike', 'en', /consent, login or verification page \(127\.0\.0\.1\/consent\)/],
    ['/wirtschaft/bahn-prag', 'de', /consent, login or verification page \(127\.0\.0\.1\/konto\/login\)/],
    ['/novyny/mist', 'uk', /consent, login or verification page \(title "Перевірка безпеки"\)/],
    ['/lyon/arbres', 'fr', /consent, login or verification page \(title "Contenu indisponible/],
    ['/valencia/carril-bici', 'es', /another site's front page \(localhost\/\)/],
    ['/valencia/removed', 'es', /the site's front page \(127\.0\.0\.1\/\)/],
  ] as const)('%s (%s): the feed content is used, and the reason is told', async (path, lang, reason) => {
    const { article, pageRejected, lead } = await build(path, lang);
    expect(pageRejected).toMatch(reason);
    expect(article.summary.startsWith(lead)).toBe(true);
    expect(article.siteName).toBe('F');
  });

  it.each(['/news/port-strike-story', '/news/port-strike-moved', '/news/port-strike-login-cookies'])('%s: the article page itself is kept', async (path) => {
    const { article, pageRejected, lead } = await build(path, 'en');
    expect(pageRejected).toBeNull();
    expect(article.summary.startsWith(lead)).toBe(true);
  });
});

describe('pageMismatch', () => {
  const description = fixture('furniture/en.txt');
  const item = { url: 'https://news.example/port-strike', title: 'Port workers end strike after pay deal', description };

  it('sets aside a page whose title and text have nothing to do with the item', () => {
    const page = { fetchedUrl: item.url, title: 'Daily Planet', text: fixture('furniture/de.txt') };
    expect(pageMismatch(item, page)).toMatch(/nothing to do with the item \(0 % of the description's words in it\)/);
  });

  it('keeps a page whose title is only the site name when its text is the story', () => {
    expect(pageMismatch(item, { fetchedUrl: item.url, title: 'Harbour Post', text: description })).toBeNull();
  });

  it('keeps an article about cookie walls', () => {
    const title = 'Regulator fines publishers over cookie consent walls';
    const text = 'The regulator said on Monday that consent walls which force readers to accept all cookies break the law. Sign in pages were not covered.';
    expect(pageMismatch({ url: item.url, title, description: text }, { fetchedUrl: item.url, title, text })).toBeNull();
  });

  it('sets aside a region-block page when the item has no description to compare with', () => {
    const bare = { url: item.url, title: 'Port workers end strike after pay deal', description: '' };
    const gdpr =
      'We recognize you are attempting to access this website from a country belonging to the European Economic Area (EEA) including the EU ' +
      'which enforces the General Data Protection Regulation (GDPR) and therefore access cannot be granted at this time.\n\nFor any issues, contact help@example.com.';
    expect(pageMismatch(bare, { fetchedUrl: item.url, title: '451: Unavailable due to legal reasons', text: 'Sorry about that.' })).toMatch(/title "451/);
    expect(pageMismatch(bare, { fetchedUrl: item.url, title: 'Error 403 - Forbidden', text: 'Sorry about that.' })).toMatch(/title "Error 403/);
    expect(pageMismatch(bare, { fetchedUrl: item.url, title: 'Example Media', text: gdpr })).toMatch(/reads like a consent/);
    // A headline that starts with a number is no error status.
    expect(pageMismatch(bare, { fetchedUrl: item.url, title: '500 dock workers walk out', text: 'Sorry about that.' })).toBeNull();
  });

  it('judges nothing without a redirect, a title or a description to compare with', () => {
    expect(pageMismatch({ url: null, title: null, description: '' }, { fetchedUrl: null, title: 'Before you continue', text: 'We use cookies.' })).toBeNull();
  });
});
