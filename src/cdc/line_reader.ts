/**
 * Splits a byte stream into `\n`-terminated lines with one reused buffer.
 *
 * Lines of any size: the buffer doubles while a line does not fit (linear
 * total copying, no repeated concatenation), and every byte is scanned for
 * `\n` once. It shrinks back when it runs empty, so one huge row does not pin
 * its memory. Reads happen only when the caller asks for a line that is not
 * buffered yet: the consumer's pace is the socket's pace.
 * @module
 */

import { CdcConnectionError, CdcProtocolError } from "./errors.ts";

/**
 * Reads into `buffer` and resolves to the byte count, or `null` at end of
 * stream. `midLine` says whether part of a line is already buffered.
 */
export type ReadInto = (buffer: Uint8Array, midLine: boolean) => Promise<number | null>;

/** Initial and resting buffer size. */
export const INITIAL_BUFFER_BYTES = 64 * 1024;

/**
 * V8's longest string (`String::kMaxLength` on 64-bit): a longer line could
 * not be decoded anyway.
 */
export const DEFAULT_MAX_LINE_BYTES = 0x1fff_ffe8;

const NEWLINE = 0x0a;

/** A line splitter over a {@link ReadInto} source. */
export class LineReader {
  readonly #read: ReadInto;
  readonly #maxLineBytes: number;
  #buffer = new Uint8Array(INITIAL_BUFFER_BYTES);
  #start = 0;
  #end = 0;
  /** Bytes before this index (from `#start`) are known to hold no newline. */
  #scanned = 0;

  constructor(read: ReadInto, maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.#read = read;
    this.#maxLineBytes = maxLineBytes;
  }

  /** Whether part of a line has been received. */
  get midLine(): boolean {
    return this.#end > this.#start;
  }

  /**
   * The next line without its `\n`, or `null` at end of stream on a line
   * boundary. The bytes are a view into the buffer, valid until the next
   * call. Throws {@link CdcConnectionError} when the stream ends inside a
   * line and {@link CdcProtocolError} when a line exceeds the limit.
   */
  async readLine(): Promise<Uint8Array | null> {
    for (;;) {
      const found = this.#buffer.subarray(this.#scanned, this.#end).indexOf(NEWLINE);
      if (found >= 0) {
        const newline = this.#scanned + found;
        if (newline - this.#start > this.#maxLineBytes) this.#tooLong();
        const line = this.#buffer.subarray(this.#start, newline);
        this.#start = this.#scanned = newline + 1;
        return line;
      }
      this.#scanned = this.#end;
      if (this.#end - this.#start > this.#maxLineBytes) this.#tooLong();
      this.#makeRoom();
      const count = await this.#read(this.#buffer.subarray(this.#end), this.midLine);
      if (count === null) {
        if (!this.midLine) return null;
        throw new CdcConnectionError(
          `Connection closed by the server in the middle of a line (${
            this.#end - this.#start
          } bytes received)`,
        );
      }
      this.#end += count;
    }
  }

  #tooLong(): never {
    throw new CdcProtocolError(`Line longer than the limit of ${this.#maxLineBytes} bytes`);
  }

  /** Ensures free space after `#end`: reset, compact or grow. */
  #makeRoom(): void {
    const pending = this.#end - this.#start;
    if (pending === 0) {
      if (this.#buffer.length > INITIAL_BUFFER_BYTES) {
        this.#buffer = new Uint8Array(INITIAL_BUFFER_BYTES);
      }
      this.#start = this.#end = this.#scanned = 0;
      return;
    }
    if (this.#end < this.#buffer.length) return;
    const scannedOffset = this.#scanned - this.#start;
    if (pending <= this.#buffer.length / 2) {
      this.#buffer.copyWithin(0, this.#start, this.#end);
    } else {
      // Room for the whole line and its newline, and no more than that.
      const size = Math.min(this.#buffer.length * 2, this.#maxLineBytes + 1);
      const grown = new Uint8Array(Math.max(size, pending + 1));
      grown.set(this.#buffer.subarray(this.#start, this.#end));
      this.#buffer = grown;
    }
    this.#start = 0;
    this.#end = pending;
    this.#scanned = scannedOffset;
  }
}
