import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractArticle } from '../../src/articles/extract.js';
import { contentText } from '../../src/articles/furniture.js';
import { splitSentences, summarize } from '../../src/articles/summarize.js';
import { htmlToText } from '../../src/text/text.js';
import { corpusDir, hasShared, listDirs, SHARED } from '../corpus.js';
import { isCaption, tokenF1 } from './f1.js';

const FURNITURE = ['Video of day', 'Follow us on', 'Ukraine Today', 'Show more news', 'Share on Twitter', 'Daily at 9am'];

describe('furniture removal', () => {
  it('removes widgets inside the body by wording and by shape', () => {
    const page = extractArticle(
      `<html><head><title>T</title></head><body><article><h1>T</h1>
      ${'<p>This is a long paragraph of real article text that readers came for, with enough words to count.</p>'.repeat(6)}
      <div><h3>Video of day</h3><iframe src="https://video.example/x"></iframe></div>
      <p>Follow us on Twitter, Facebook and Google News</p>
      <div class="social-share"><a href="#">Share</a></div>
      <div class="box"><h2>Newsletter</h2><p>Weekly picks</p><form><input type="email"><button>Go</button></form></div>
      <p><a href="/more">Show more news</a></p></article></body></html>`,
      'https://news.example/a',
    );
    expect(page.text).toContain('real article text');
    for (const phrase of ['Video of day', 'Follow us on', 'Share', 'Weekly picks', 'Show more news']) expect(page.text).not.toContain(phrase);
  });

  it('keeps hostile markup out of the text', () => {
    const page = extractArticle(
      `<html><body><article>${'<p>Plain words of the story go here, one sentence after another.</p>'.repeat(5)}<script>alert(1)</script><img src=x onerror=alert(2)><style>p{}</style></article></body></html>`,
      null,
    );
    expect(page.text).not.toMatch(/alert|onerror|p\{\}/);
  });
});

const FIXTURES = join(import.meta.dirname, 'fixtures');

describe('page metadata', () => {
  const story = '<p>A sentence of the story, long enough to be read as one of its paragraphs.</p>'.repeat(6);

  it('reads the canonical link, image link, JSON-LD date and <time> as selectors do in HTML: rel and type without case, the first one winning', () => {
    const page = extractArticle(
      `<html><head><title>T</title><link rel="stylesheet" href="/s.css"><link rel="Canonical" href="/canonical"><link rel="canonical" href="/second">` +
        `<link rel="IMAGE_SRC" href="/picture.jpg"><script type="Application/LD+JSON">{"@type":"NewsArticle","datePublished":"2026-03-04T05:06:07Z"}</script></head>` +
        `<body><article><time>no datetime</time><time datetime="2020-01-01T00:00:00Z">1 Jan</time>${story}</article></body></html>`,
      'https://news.example/a',
    );
    expect(page.url).toBe('https://news.example/canonical');
    expect(page.imageUrl).toBe('https://news.example/picture.jpg');
    expect(page.publishedAt?.toISOString()).toBe('2026-03-04T05:06:07.000Z');
  });

  it('falls back to the first <time datetime> when neither <meta> nor JSON-LD dates the page', () => {
    const page = extractArticle(
      `<html><head><title>T</title><script type="application/ld+json">{"@type":"WebPage"}</script></head>` +
        `<body><article><time>no datetime</time><time datetime="2020-01-02T00:00:00Z">2 Jan</time><time datetime="2021-01-01T00:00:00Z">later</time>${story}</article></body></html>`,
      'https://news.example/a',
    );
    expect(page.url).toBe('https://news.example/a');
    expect(page.publishedAt?.toISOString()).toBe('2020-01-02T00:00:00.000Z');
  });
});

describe('inline furniture in news pages (English, Ukrainian, German, French, Spanish)', () => {
  // Each page carries related-story lines, captions and credits, ad labels, timestamps, wire-service
  // trailers and subscribe boxes inside the body; the .txt beside it is the story as a reader sees it.
  it.each(['en', 'uk', 'de', 'fr', 'es'])('%s: the text is the story alone and the summary opens with its lead', (lang) => {
    const html = readFileSync(join(FIXTURES, 'furniture', `${lang}.html`), 'utf8');
    const story = readFileSync(join(FIXTURES, 'furniture', `${lang}.txt`), 'utf8').trim();
    const page = extractArticle(html, `https://news.example/${lang}/story`);
    expect(page.text).toBe(story);
    const lead = splitSentences(story.split('\n\n')[0]!)[0]!;
    expect(summarize(page.text).startsWith(lead)).toBe(true);
  });

  it('keeps captions and wire trailers out of a feed item\'s own content too', () => {
    const text = contentText(
      '<figure><img src="a.jpg"><figcaption>Protesters outside parliament on Monday.</figcaption></figure>' +
        '<p>Lawmakers approved the budget late on Monday after a twelve-hour debate.</p><p>Фото: Укрінформ</p>' +
        '<p>The vote was 240 to 180. (Reporting by Olena Harmash; Editing by Alex Richardson)</p><p>Lesen Sie auch: Was der Haushalt bringt</p>',
    );
    expect(text).toBe('Lawmakers approved the budget late on Monday after a twelve-hour debate.\n\nThe vote was 240 to 180.');
  });

  it('cuts a related-story label inside a paragraph together with the headline it introduces, and only that', () => {
    const page = extractArticle(
      '<!doctype html><html><head><title>Minister resigns over procurement scandal</title></head><body><article><h1>Minister resigns over procurement scandal</h1>' +
        '<p>The minister resigned on Monday after weeks of pressure over a procurement scandal. <strong>Read also:</strong> <a href="/x">Who is the new minister?</a></p>' +
        '<p>Opposition parties called for an early election on Tuesday, and the coalition partners said they would meet to discuss it.</p>' +
        '<p><b>Lesen Sie auch:</b></p><p><a href="/y">Die Koalition wackelt</a></p>' +
        '<p>The vote is expected to be close. <em>Lire aussi :</em> <a href="/z">La BCE relève ses taux</a> Analysts said markets barely moved.</p></article></body></html>',
      'https://news.example/en/minister',
    );
    expect(page.text).toBe(
      'The minister resigned on Monday after weeks of pressure over a procurement scandal.\n\n' +
        'Opposition parties called for an early election on Tuesday, and the coalition partners said they would meet to discuss it.\n\n' +
        'The vote is expected to be close. Analysts said markets barely moved.',
    );
    // A feed's own text: the label's first sentence is the headline; the rest is the story.
    expect(contentText('Lesen Sie auch: Die Bahn streikt wieder. Der Bundestag hat am Freitag das Gesetz beschlossen. Lire aussi : Rien.')).toBe(
      'Der Bundestag hat am Freitag das Gesetz beschlossen.',
    );
    expect(contentText('<p>Читайте також: Курс долара зріс. Уряд схвалив новий бюджет у четвер.</p>')).toBe('Уряд схвалив новий бюджет у четвер.');
  });

  it('cuts credits and ad labels run on at the end of a paragraph, and ad lines', () => {
    const text = contentText(
      '<p>Her deputy will take over until a successor is appointed. Photo: Reuters</p>' +
        '<p>Police cleared the square before dawn, and officers in riot gear blocked the roads into the old town for most of the morning. AP Photo/J. Scott Applewhite</p>' +
        '<p>Advertisement - Scroll to continue</p><p>ADVERTISEMENT · CONTINUE READING BELOW</p><p>Story continues below advertisement</p>' +
        '<p>The vote is expected to be close. Sponsored Content</p><p>Markets barely moved. Anzeige</p>' +
        '<p>The ministry said on Friday. Updated 2 hours ago</p>',
    );
    expect(text).toBe(
      'Her deputy will take over until a successor is appointed.\n\n' +
        'Police cleared the square before dawn, and officers in riot gear blocked the roads into the old town for most of the morning.\n\n' +
        'The vote is expected to be close.\n\nMarkets barely moved.\n\nThe ministry said on Friday.',
    );
  });

  it('keeps story paragraphs that only start like furniture', () => {
    const paragraphs = [
      'More than 300 people were evacuated from the village, officials said on Sunday.',
      'Related talks between the two sides are expected to resume in Geneva next week, according to diplomats.',
      'Photographers were kept away from the site, and Reuters could not independently verify the reports.',
      'Updated figures from the ministry show that 12 districts are still without power.',
      'Читайте також уважно інструкції, сказали в міністерстві, бо від цього залежить безпека людей у зоні підтоплення.',
      'The agency said prices rose. More than 40 shops closed, and Watch Tower officials said the Photo Library would stay open.',
      'Turnout was low. Sponsored content on social media played a role, researchers at the university said.',
    ];
    expect(contentText(paragraphs.map((p) => `<p>${p}</p>`).join(''))).toBe(paragraphs.join('\n\n'));
  });
});

describe('a page that carries the next story below the requested one', () => {
  // Continuous scrolling: the next story follows, often longer; the page's own title names the one asked for.
  it.each(['uk', 'de', 'es', 'single', 'wrapped', 'brief'])('%s: the text is the requested story only', (name) => {
    const page = extractArticle(readFileSync(join(FIXTURES, 'stories', `${name}.html`), 'utf8'), `https://news.example/${name}`);
    expect(page.text).toBe(readFileSync(join(FIXTURES, 'stories', `${name}.txt`), 'utf8').trim());
  });

  it.skipIf(!hasShared)('shared case 15: the five paragraphs of the first article, nothing of the battery one', () => {
    const html = readFileSync(join(SHARED, 'cases', '15-readability-two-articles', 'page.html'), 'utf8');
    const page = extractArticle(html, null);
    expect(page.title).toBe('Five Priorities for the Future of Work');
    const paragraphs = page.text.split('\n\n');
    expect(paragraphs).toHaveLength(5);
    expect(paragraphs[0]).toMatch(/^Companies that moved their staff home/);
    expect(page.text).not.toMatch(/batter|lithium|cobalt/i);
    expect(summarize(page.text)).toMatch(/^Companies that moved their staff home in a hurry/);
  });
});

describe.skipIf(!hasShared)('the Kyiv rally seed page', () => {
  const html = hasShared ? readFileSync(corpusDir('seed', 'kyiv-rally.html'), 'utf8') : '';

  it('extracts the story without its furniture and leads the summary with the lead sentence', () => {
    const page = extractArticle(html, 'https://kyivindependent.com/supporters-of-kazakhstan-protestors-hold-rally-in-kyiv/');
    const summary = summarize(page.text);
    expect(page.title).toBe('Supporters of Kazakhstan protestors hold rally in Kyiv');
    expect(page.siteName).toBe('The Kyiv Independent');
    expect(page.publishedAt?.toISOString()).toBe('2022-01-10T21:56:00.000Z');
    expect(page.imageUrl).toBe('https://kyivindependent.com/content/images/2022/01/kazakhstan-rally-kyiv.jpg');
    expect(page.url).toBe('https://kyivindependent.com/supporters-of-kazakhstan-protestors-hold-rally-in-kyiv/');
    expect(page.text.split('\n\n')).toHaveLength(14);
    expect(summary.startsWith('Supporters of the on-going protests in Kazakhstan held a rally near the Kazakhstan Embassy in Kyiv on Jan. 10, ')).toBe(true);
    for (const phrase of FURNITURE) {
      expect(page.text).not.toContain(phrase);
      expect(summary).not.toContain(phrase);
    }
  });
});

describe.skipIf(!hasShared)('the Readability corpus', () => {
  const dir = hasShared ? corpusDir('articles') : '';
  const pages = hasShared ? listDirs(dir) : [];
  const scores: number[] = [];
  const rawScores: number[] = [];
  // Scored against the references without their captions (see isCaption); the raw score is logged beside it.

  it.each(pages)('%s: expected title, token-F1 >= 0.80', (name) => {
    const read = (file: string) => readFileSync(join(dir, name, file), 'utf8');
    const expected = JSON.parse(read('expected-metadata.json')) as { title: string };
    const page = extractArticle(read('source.html'), 'http://fakehost/test/page.html');
    const score = tokenF1(page.text, htmlToText(read('expected.html'), true, isCaption));
    scores.push(score);
    rawScores.push(tokenF1(page.text, htmlToText(read('expected.html'), true)));
    expect(page.title).toBe(expected.title.replace(/\s+/g, ' ').trim());
    expect(score).toBeGreaterThanOrEqual(0.8);
  });

  it('averages token-F1 >= 0.99', () => {
    expect(scores).toHaveLength(pages.length);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    console.log(
      `extraction token-F1 over ${scores.length} pages: mean ${mean(scores).toFixed(4)}, min ${Math.min(...scores).toFixed(4)} ` +
        `(against the references with their captions: mean ${mean(rawScores).toFixed(4)}, min ${Math.min(...rawScores).toFixed(4)})`,
    );
    expect(mean(scores)).toBeGreaterThanOrEqual(0.99);
  });

  it.each([
    ['cnet', 'Anyone who has ever been involved in closing a billion-dollar acquisition deal'],
    ['nytimes-1', 'LONDON — After nearly 20 years of hostile relations'],
    ['herald-sun-1', 'A HIGH-powered federal government team'],
    ['yahoo-1', 'Virtual reality has officially reached the consoles.'],
  ])('%s: the summary opens with the lead, not a photo caption', (name, lead) => {
    const page = extractArticle(readFileSync(join(dir, name, 'source.html'), 'utf8'), 'http://fakehost/test/page.html');
    expect(summarize(page.text).startsWith(lead)).toBe(true);
  });
});
