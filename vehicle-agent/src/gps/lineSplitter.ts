/**
 * Splits a character stream into lines (LF, CRLF or lone CR) with a bound on line length, so
 * a device that never sends a newline (wrong baud rate, binary protocol) cannot grow memory.
 * Node's readline has no such bound.
 */
export class LineSplitter {
  private partial = '';
  /** True while discarding the rest of an over-long line, up to its newline. */
  private skipping = false;
  overlong = 0;

  constructor(
    private readonly maxLineLength: number,
    private readonly onLine: (line: string) => void,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.take(chunk.slice(start, i), true);
      start = i + 1;
    }
    if (start < chunk.length) this.take(chunk.slice(start), false);
  }

  /** End of input: a last line without a newline still counts. */
  end(): void {
    if (this.partial !== '' && !this.skipping) this.onLine(this.partial);
    this.partial = '';
    this.skipping = false;
  }

  private take(piece: string, complete: boolean): void {
    if (!this.skipping) {
      if (this.partial.length + piece.length > this.maxLineLength) {
        this.overlong++;
        this.partial = '';
        this.skipping = true;
      } else {
        this.partial += piece;
      }
    }
    if (!complete) return;
    const line = this.partial;
    this.partial = '';
    if (this.skipping) this.skipping = false;
    else if (line !== '') this.onLine(line);
  }
}
