// Extraction + summary over the shared Readability corpus: Herald (Readability on linkedom with its
// furniture passes) beside @mozilla/readability on jsdom, each in its own process, in one run.
import { hasCorpus, runWorker, table } from './lib.js';

interface Result { impl: string; pagesPerSecond: number; peakRssMb: number; meanF1: number; minF1: number }

export async function benchExtract(): Promise<Array<Record<string, string | number>>> {
  if (!hasCorpus) return [{ what: 'skipped: ../shared/corpus is absent' }];
  const herald = runWorker<Result>('./extract-worker.ts', ['herald', '5']);
  const jsdom = runWorker<Result>('./extract-worker.ts', ['jsdom', '1']);
  return [herald, jsdom].map((r) => ({
    extractor: r.impl === 'jsdom' ? 'Readability on jsdom (baseline)' : 'Herald (Readability on linkedom + furniture removal)',
    'pages/s': Number(r.pagesPerSecond.toFixed(1)),
    'peak RSS MB': r.peakRssMb,
    'token-F1 mean': Number(r.meanF1.toFixed(4)),
    'token-F1 min': Number(r.minF1.toFixed(4)),
    'speed-up': Number((r.pagesPerSecond / jsdom.pagesPerSecond).toFixed(1)),
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) table('Extraction + summary', await benchExtract());
