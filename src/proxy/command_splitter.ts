/**
 * Follows the client→backend byte stream of the command phase and splits it
 * into bytes to forward verbatim and the few command packets the proxy must
 * see whole (COM_INIT_DB, COM_CHANGE_USER, COM_QUIT). Nothing is buffered
 * except a packet header cut by a chunk boundary and an intercepted packet
 * still arriving, so large packets stream through.
 *
 * A packet with a payload of exactly 0xFFFFFF bytes is continued by the next
 * packet; the continuation is not a new command (myproxy-behaviour.md §3).
 * @module
 */

import { MAX_PAYLOAD } from "../mysql/constants.ts";

/**
 * A piece of the stream: bytes to forward (a view of the pushed chunk), or an
 * intercepted command (its payload is a copy the receiver owns).
 */
export type Segment =
  | { readonly kind: "forward"; readonly bytes: Uint8Array }
  | { readonly kind: "command"; readonly sequenceId: number; readonly payload: Uint8Array };

/** The largest intercepted packet kept whole; larger ones are forwarded. */
export const MAX_INTERCEPTED_PAYLOAD = 64 * 1024;

const HEADER = 4;

/** Stateful splitter; one per connection. */
export class CommandSplitter {
  #remaining = 0;
  #continuation = false;
  #carry: Uint8Array | null = null;
  /** Sequence id of the last packet header seen. */
  lastSequenceId = 0;

  /** @param intercepts whether a command byte starts a packet to keep whole */
  constructor(private readonly intercepts: (command: number) => boolean) {}

  /**
   * The common case without allocation: when nothing is carried over and
   * `chunk` ends cleanly with no intercepted command in it, advances over it
   * and returns true (forward it whole); otherwise changes nothing and
   * returns false (call {@linkcode push}).
   */
  forwardsWhole(chunk: Uint8Array, length: number): boolean {
    if (this.#carry) return false;
    let remaining = this.#remaining;
    let continuation = this.#continuation;
    let sequenceId = this.lastSequenceId;
    let pos = 0;
    while (pos < length) {
      if (remaining > 0) {
        const take = Math.min(remaining, length - pos);
        pos += take;
        remaining -= take;
        continue;
      }
      if (length - pos < HEADER + (continuation ? 0 : 1)) return false;
      const payloadLength = chunk[pos] | (chunk[pos + 1] << 8) | (chunk[pos + 2] << 16);
      if (
        !continuation && payloadLength > 0 && payloadLength <= MAX_INTERCEPTED_PAYLOAD &&
        this.intercepts(chunk[pos + HEADER])
      ) return false;
      sequenceId = chunk[pos + 3];
      continuation = payloadLength === MAX_PAYLOAD;
      pos += HEADER;
      remaining = payloadLength;
    }
    this.#remaining = remaining;
    this.#continuation = continuation;
    this.lastSequenceId = sequenceId;
    return true;
  }

  /** Splits one received chunk. Undecided trailing bytes wait for the next push. */
  push(input: Uint8Array): Segment[] {
    let chunk = input;
    if (this.#carry) {
      const joined = new Uint8Array(this.#carry.length + input.length);
      joined.set(this.#carry);
      joined.set(input, this.#carry.length);
      chunk = joined;
      this.#carry = null;
    }
    const out: Segment[] = [];
    let pos = 0;
    let forwardFrom = 0;
    while (pos < chunk.length) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, chunk.length - pos);
        pos += take;
        this.#remaining -= take;
        continue;
      }
      const available = chunk.length - pos;
      // A new command needs its header and first payload byte to be judged.
      if (available < HEADER + (this.#continuation ? 0 : 1)) break;
      const length = chunk[pos] | (chunk[pos + 1] << 8) | (chunk[pos + 2] << 16);
      const sequenceId = chunk[pos + 3];
      const isNewCommand = !this.#continuation;
      this.#continuation = length === MAX_PAYLOAD;
      if (
        isNewCommand && length > 0 && length <= MAX_INTERCEPTED_PAYLOAD &&
        this.intercepts(chunk[pos + HEADER])
      ) {
        if (available < HEADER + length) {
          this.#continuation = false;
          break;
        }
        if (pos > forwardFrom) {
          out.push({ kind: "forward", bytes: chunk.subarray(forwardFrom, pos) });
        }
        // A copy: the command may be handled after the chunk's buffer is reused.
        const payload = chunk.slice(pos + HEADER, pos + HEADER + length);
        out.push({ kind: "command", sequenceId, payload });
        this.lastSequenceId = sequenceId;
        pos += HEADER + length;
        forwardFrom = pos;
        continue;
      }
      this.lastSequenceId = sequenceId;
      pos += HEADER;
      this.#remaining = length;
    }
    if (pos < chunk.length) this.#carry = chunk.slice(pos);
    if (pos > forwardFrom) {
      // The common case, a chunk of whole forwarded packets, needs no new view.
      const bytes = forwardFrom === 0 && pos === chunk.length
        ? chunk
        : chunk.subarray(forwardFrom, pos);
      out.push({ kind: "forward", bytes });
    }
    return out;
  }

  /** Bytes held back waiting for more input (for diagnostics and tests). */
  get pendingBytes(): number {
    return this.#carry?.length ?? 0;
  }
}
