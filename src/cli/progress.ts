/** A one-line progress display on a terminal, redrawn in place. */
export interface ProgressLine {
  /** Replaces the line's text. */
  show(text: string): void;
  /** Erases the line, if shown; call it before anything else is written to the terminal. */
  clear(): void;
}

/** `\r` back to the line's start, then ESC [ K (ECMA-48 EL: erase to the end of the line). */
const ERASE_LINE = '\r\x1b[K';

/** A progress line on `stream`, or null when the stream is not a terminal (pipes and files stay clean). */
export function createProgressLine(stream: NodeJS.WritableStream & { isTTY?: boolean }): ProgressLine | null {
  if (stream.isTTY !== true) return null;
  let shown = false;
  return {
    show(text) {
      stream.write(`${ERASE_LINE}${text}`);
      shown = true;
    },
    clear() {
      if (!shown) return;
      stream.write(ERASE_LINE);
      shown = false;
    },
  };
}
