// One extractor over the Readability corpus, alone in a fresh process. Args: contender, pages, seconds.
// Reports pages/s over whole passes (after one untimed warm-up pass), peak RSS and token-F1 against
// the corpus's reference extractions, without their captions and as they are (see isCaption). Only
// the chosen contender's libraries are loaded.
import { isCaption, tokenF1 } from '../tests/articles/f1.js';
import { corpusPages, peakRssMb, report, timedPasses } from './lib.js';

const [contender, pagesText, secondsText] = process.argv.slice(2);
const PAGE_URL = 'http://fakehost/test/page.html';

/** Each contender: pages' HTML → each article as paragraph text (text scored for F1 outside the timing). */
type ExtractAll = (pages: readonly string[]) => Promise<string[]> | string[];
/** Stops what a contender left running (the pool's workers), once its figures are reported. */
let stop = async (): Promise<void> => {};
const oneByOne = (extract: (html: string) => string): ExtractAll => (pages) => pages.map(extract);
const contenders: Record<string, () => Promise<ExtractAll>> = {
  async herald() {
    const extract = await (await import('./herald.js')).loadExtractor();
    return oneByOne((html) => extract(html, PAGE_URL));
  },
  async pool() {
    // The pool's workers stay up for the whole run, as in `herald run`.
    const pool = await (await import('./herald.js')).loadPoolExtractor();
    stop = pool.close;
    return (pages) => pool.extractAll(pages, PAGE_URL);
  },
  // The baselines run Readability and linkedom as published (npm aliases of the same versions), not Herald's patched copies.
  async linkedom() {
    const [{ Readability }, { parseHTML }] = await Promise.all([import('readability-stock'), import('linkedom-stock')]);
    return oneByOne((html) => {
      const { document } = parseHTML(html);
      return new Readability(document as unknown as Document).parse()?.content ?? '';
    });
  },
  async jsdom() {
    // As Readability's README shows it: jsdom's default virtual console (page errors to this process's stderr, which the runner reads only when the child fails).
    const [{ Readability }, { JSDOM }] = await Promise.all([import('readability-stock'), import('jsdom')]);
    return oneByOne((html) => {
      const dom = new JSDOM(html, { url: PAGE_URL });
      const content = new Readability(dom.window.document).parse()?.content ?? '';
      dom.window.close();
      return content;
    });
  },
};

const load = contenders[contender ?? ''];
if (!load) throw new Error(`extract-child: unknown contender ${contender}; one of ${Object.keys(contenders).join(', ')}`);
const extractAll = await load();
const pages = corpusPages(Number(pagesText));
const htmls = pages.map((page) => page.html);
const outputs = await extractAll(htmls); // the warm-up pass, kept for scoring
const { passes, seconds } = await timedPasses(() => extractAll(htmls), Number(secondsText));
const peak = peakRssMb(); // before the scoring code below is loaded
// Baselines return Readability's HTML, Herald its text: both are read as paragraph text for scoring.
const paragraphText = await (await import('./herald.js')).loadParagraphText();
const texts = pages.map((_, i) => (contender === 'herald' || contender === 'pool' ? outputs[i]! : paragraphText(outputs[i]!)));
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const scores = pages.map((page, i) => tokenF1(texts[i]!, paragraphText(page.expected, isCaption)));
const rawScores = pages.map((page, i) => tokenF1(texts[i]!, paragraphText(page.expected)));
report({
  pagesPerSecond: (passes * pages.length) / seconds,
  peakRssMb: peak,
  meanF1: mean(scores),
  minF1: Math.min(...scores),
  meanRawF1: mean(rawScores),
});
await stop();
