import { Session } from 'node:inspector/promises';

/**
 * A full garbage collection now, of the kind that also compacts the heap and gives its emptied
 * pages back to the operating system. V8 collects lazily: after a burst of work (the first poll of
 * every feed, which fetches and parses them all within seconds) it keeps the heap grown to the
 * burst's size, often three to four times what is still alive, for as long as the process runs.
 * Called once a burst is over, it brings the resident size of an idle bot down to what it holds.
 * It asks V8 through Node's in-process inspector session (node:inspector; the Chrome DevTools
 * Protocol's HeapProfiler.collectGarbage, V8's "collect all available garbage"), which needs no
 * command-line flag and opens no port. Takes tens of ms on a heap of a few hundred MB; rejects
 * with the inspector's error (a Node built without the inspector).
 */
export async function releaseHeap(): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.collectGarbage');
  } finally {
    session.disconnect();
  }
}
