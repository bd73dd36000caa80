/**
 * Incremental packet framing for the login phase: bytes in, whole payloads
 * out. Framing is separate from parsing; the framer never looks inside a
 * payload.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html
 * @module
 */

import { HEADER_SIZE, MAX_PAYLOAD } from "./constants.ts";
import { MalformedPacketError } from "./errors.ts";

/** One reassembled payload. */
export interface FramedPayload {
  /** Sequence id of the first packet. */
  readonly sequenceId: number;
  /** Sequence id of the last packet (differs for payloads ≥ 16 MiB); reply with this + 1. */
  readonly lastSequenceId: number;
  readonly payload: Uint8Array;
}

/** Options of `PacketFramer`. */
export interface PacketFramerOptions {
  /** Largest reassembled payload accepted; larger ones throw. Default 16 MiB. */
  readonly maxPayload?: number;
}

/** Login packets are small: a HandshakeResponse with attributes is well under 1 KiB. */
const MIN_BUFFER = 2 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * Splits a byte stream into payloads, joining the packets of payloads of
 * `MAX_PAYLOAD` bytes or more. `push()` copies its chunk, so callers may reuse
 * their read buffer; returned payloads are the caller's own copies. Bytes are
 * consumed only when a whole payload is returned, so `takeBuffered()` hands
 * over exactly the unread stream (and releases the buffer). After a
 * `MalformedPacketError` the stream is out of sync: close the connection.
 */
export class PacketFramer {
  readonly #max: number;
  #buf = EMPTY;
  #start = 0;
  #end = 0;

  /** Creates an empty framer. */
  constructor(options: PacketFramerOptions = {}) {
    this.#max = options.maxPayload ?? 16 * 1024 * 1024;
  }

  /** Bytes received but not yet returned as (part of) a payload. */
  get bufferedBytes(): number {
    return this.#end - this.#start;
  }

  /** Appends received bytes. */
  push(chunk: Uint8Array): void {
    if (chunk.length > this.#buf.length - this.#end) {
      const unread = this.#end - this.#start;
      const next = new Uint8Array(Math.max(MIN_BUFFER, 2 * (unread + chunk.length)));
      next.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = next;
      this.#start = 0;
      this.#end = unread;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /**
   * Removes and returns the bytes not yet returned by `next()` (e.g. the first
   * command-phase bytes that arrived with the login's last packet).
   */
  takeBuffered(): Uint8Array {
    const rest = this.#buf.slice(this.#start, this.#end);
    // Let the buffer go: a framer outliving its login would pin it otherwise.
    this.#buf = EMPTY;
    this.#start = this.#end = 0;
    return rest;
  }

  /** The next complete payload, or `null` until more bytes arrive. */
  next(): FramedPayload | null {
    const b = this.#buf;
    let at = this.#start;
    let total = 0;
    let packets = 0;
    let firstSeq = 0;
    let lastSeq = 0;
    for (;;) {
      if (this.#end - at < HEADER_SIZE) return null;
      const length = b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
      const seq = b[at + 3];
      if (packets === 0) firstSeq = seq;
      else if (seq !== ((lastSeq + 1) & 0xff)) {
        throw new MalformedPacketError(
          `Packet sequence id ${seq} does not follow ${lastSeq} within one payload`,
        );
      }
      total += length;
      if (total > this.#max) {
        throw new MalformedPacketError(
          `Payload of at least ${total} bytes exceeds the limit of ${this.#max}`,
        );
      }
      if (this.#end - at < HEADER_SIZE + length) return null;
      lastSeq = seq;
      packets++;
      at += HEADER_SIZE + length;
      if (length < MAX_PAYLOAD) break;
    }
    const from = this.#start;
    this.#start = at;
    if (packets === 1) {
      return {
        sequenceId: firstSeq,
        lastSequenceId: lastSeq,
        // A copy: a view would pin the whole buffer for as long as any part
        // of the payload (a user name, say) is kept.
        payload: b.slice(from + HEADER_SIZE, at),
      };
    }
    const payload = new Uint8Array(total);
    let src = from;
    for (let offset = 0; offset < total;) {
      const length = b[src] | (b[src + 1] << 8) | (b[src + 2] << 16);
      payload.set(b.subarray(src + HEADER_SIZE, src + HEADER_SIZE + length), offset);
      offset += length;
      src += HEADER_SIZE + length;
    }
    return { sequenceId: firstSeq, lastSequenceId: lastSeq, payload };
  }
}
