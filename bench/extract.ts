// Extraction + summary over Mozilla Readability's test corpus: Herald beside Readability alone, on
// linkedom (Herald's DOM) and on jsdom (Readability's documented setup).
import { availableParallelism } from 'node:os';
import { corpusPages, hasCorpus, versionOf, type Sizes } from './lib.js';
import { measure, printAloneCheck, printGroup, printSkipped, ratio, type Group } from './runner.js';

const HERALD = 'Herald, 1 thread';
/** Worker threads of Herald's extraction pool here: min(4, cores), as createExtractionPool (src/pipeline/extraction.ts) starts them. */
const THREADS = Math.min(4, Math.max(1, availableParallelism()));
const POOL = `Herald, worker pool of ${THREADS} thread${THREADS === 1 ? '' : 's'}`;
const LINKEDOM = 'Readability on linkedom';
const JSDOM = 'Readability on jsdom';

/** The extraction group at `sizes`. */
function extractGroup(sizes: Sizes): Group {
  const args = (contender: string) => [contender, String(sizes.extractPages), String(sizes.seconds)];
  const readability = `@mozilla/readability ${versionOf('@mozilla/readability')}`;
  const stockReadability = `@mozilla/readability ${versionOf('readability-stock')} as published (no patch)`;
  return {
    title: `Extraction + summary: ${hasCorpus ? corpusPages(sizes.extractPages).length : 0} pages of Readability's test corpus (shared/corpus/articles)`,
    metric: { key: 'pagesPerSecond', label: 'pages/s', digits: 1 },
    columns: [
      { key: 'peakRssMb', label: 'peak RSS MB', digits: 0 },
      { key: 'meanF1', label: 'token-F1 mean', digits: 3 },
      { key: 'minF1', label: 'token-F1 min', digits: 3 },
      { key: 'meanRawF1', label: 'token-F1 mean, captions in the reference', digits: 3 },
    ],
    contenders: [
      { name: HERALD, does: `page → article text → summary: ${readability} (with Herald's patch: patches/, no text or style read where the answer is already known, no serialising for an idle debug log, the page copied for a retry by cloning instead of serialising; charThreshold 300; its serializer returns the article element, whose text is read without serialising it) on linkedom ${versionOf('linkedom')} (with Herald's patch: patches/, listener maps made on first use, tag-name selectors matched by name, no classList made to read an absent class, getElementsByTagName comparing each name once) with Herald's furniture removal before and after, then the summary (lead sentences, Discord's limits)`, child: 'extract-child', args: args('herald') },
      { name: POOL, does: `the same work as ${HERALD} on Herald's extraction pool (piscina, up to ${THREADS} worker thread${THREADS === 1 ? '' : 's'}: one per core, at most 4; one extracts while it keeps up, one more joins at once when the pages waiting would keep the working ones busy ≥ 300 ms (by the running time per page), or once they have waited 2 s; pages handed over at once; the summary on the main thread), as herald run extracts pages`, child: 'extract-child', args: args('pool') },
      { name: LINKEDOM, does: `${stockReadability} on linkedom ${versionOf('linkedom-stock')} as published (no patch): parseHTML, Readability.parse() (default options); no furniture removal, no summary`, child: 'extract-child', args: args('linkedom') },
      { name: JSDOM, does: `${stockReadability} on jsdom ${versionOf('jsdom')}, as its README shows: new JSDOM(html, { url }) (jsdom's default virtual console: page errors go to the process's console), Readability.parse() (default options), window.close(); no furniture removal, no summary`, child: 'extract-child', args: args('jsdom') },
    ],
    baseline: LINKEDOM,
    notes: (results) => [
      `${HERALD} ÷ ${LINKEDOM}: ${ratio(results, HERALD, LINKEDOM, 'pagesPerSecond')} (goal ≥ 2×)`,
      `${POOL} ÷ ${JSDOM}: ${ratio(results, POOL, JSDOM, 'pagesPerSecond')} (goal ≥ 20×); ${HERALD} ÷ ${JSDOM}: ${ratio(results, HERALD, JSDOM, 'pagesPerSecond')}`,
      "token-F1: bag-of-words overlap with the corpus's reference extraction (Readability on jsdom produced it), scored on the untimed warm-up pass; Herald leaves photo captions out on purpose, so the references are read without their captions (as tests/articles does), and as they are in the last column",
    ],
  };
}

/** Runs and prints the extraction group, then the check that its baseline's figure is its figure alone. */
export async function benchExtract(sizes: Sizes): Promise<void> {
  const group = extractGroup(sizes);
  if (!hasCorpus) return printSkipped(group, 'shared/corpus is absent');
  const results = await measure(group, sizes.rounds);
  printGroup(group, results, sizes.rounds);
  await printAloneCheck(group, results, LINKEDOM, sizes.rounds);
}
