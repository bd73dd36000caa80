/**
 * Building payloads and framing them into packets.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html
 * and page_protocol_basic_data_types.html
 * @module
 */

import { HEADER_SIZE, MAX_PAYLOAD } from "./constants.ts";

const encoder = new TextEncoder();

/** Bytes as given, or a string encoded as UTF-8. */
export type ByteString = Uint8Array | string;

function toBytes(value: ByteString): Uint8Array {
  return typeof value === "string" ? encoder.encode(value) : value;
}

const MAX_U64 = (1n << 64n) - 1n;

/**
 * Growable little-endian payload builder. Methods return `this` for chaining;
 * `finish()` returns the payload. Out-of-range values are programming errors
 * and throw `RangeError`.
 */
export class PacketWriter {
  #buf: Uint8Array;
  #len = 0;

  /** Starts with room for `capacity` bytes (grows as needed). */
  constructor(capacity = 64) {
    this.#buf = new Uint8Array(Math.max(16, capacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): number {
    const need = this.#len + n;
    if (need > this.#buf.length) {
      const next = new Uint8Array(Math.max(need, this.#buf.length * 2));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    const at = this.#len;
    this.#len = need;
    return at;
  }

  #checkInt(value: number, max: number, what: string): void {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new RangeError(`Value ${value} does not fit ${what}`);
    }
  }

  /** 1-byte integer. */
  u8(value: number): this {
    this.#checkInt(value, 0xff, "int<1>");
    this.#buf[this.#reserve(1)] = value;
    return this;
  }

  /** 2-byte little-endian integer. */
  u16(value: number): this {
    this.#checkInt(value, 0xffff, "int<2>");
    const at = this.#reserve(2);
    this.#buf[at] = value & 0xff;
    this.#buf[at + 1] = value >>> 8;
    return this;
  }

  /** 3-byte little-endian integer. */
  u24(value: number): this {
    this.#checkInt(value, 0xffffff, "int<3>");
    const at = this.#reserve(3);
    this.#buf[at] = value & 0xff;
    this.#buf[at + 1] = (value >>> 8) & 0xff;
    this.#buf[at + 2] = value >>> 16;
    return this;
  }

  /** 4-byte little-endian integer. */
  u32(value: number): this {
    this.#checkInt(value, 0xffffffff, "int<4>");
    const at = this.#reserve(4);
    this.#buf[at] = value & 0xff;
    this.#buf[at + 1] = (value >>> 8) & 0xff;
    this.#buf[at + 2] = (value >>> 16) & 0xff;
    this.#buf[at + 3] = value >>> 24;
    return this;
  }

  /** 8-byte little-endian integer. */
  u64(value: bigint | number): this {
    const v = BigInt(value);
    if (v < 0n || v > MAX_U64) throw new RangeError(`Value ${v} does not fit int<8>`);
    this.u32(Number(v & 0xffffffffn));
    return this.u32(Number(v >> 32n));
  }

  /** Length-encoded integer. */
  lenencInt(value: bigint | number): this {
    if (typeof value === "number") this.#checkInt(value, Number.MAX_SAFE_INTEGER, "int<lenenc>");
    const v = BigInt(value);
    if (v < 0xfbn) return this.u8(Number(v));
    if (v <= 0xffffn) return this.u8(0xfc).u16(Number(v));
    if (v <= 0xffffffn) return this.u8(0xfd).u24(Number(v));
    return this.u8(0xfe).u64(v);
  }

  /** Raw bytes. */
  bytes(value: ByteString): this {
    const b = toBytes(value);
    this.#buf.set(b, this.#reserve(b.length));
    return this;
  }

  /** `n` zero bytes (fillers and reserved fields). */
  zeros(n: number): this {
    this.#checkInt(n, Number.MAX_SAFE_INTEGER, "a length");
    this.#buf.fill(0, this.#reserve(n), this.#len);
    return this;
  }

  /** Length-encoded string. */
  lenencBytes(value: ByteString): this {
    const b = toBytes(value);
    return this.lenencInt(b.length).bytes(b);
  }

  /** NUL-terminated string; a NUL inside `value` would end it early, so it throws. */
  nulBytes(value: ByteString): this {
    const b = toBytes(value);
    if (b.includes(0)) throw new RangeError("A NUL-terminated string must not contain NUL");
    return this.bytes(b).u8(0);
  }

  /** The payload written so far (a view of the internal buffer). */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}

/** How many packets a payload of `length` bytes takes (at least one). */
export function packetCount(length: number): number {
  return Math.floor(length / MAX_PAYLOAD) + 1;
}

/**
 * Frames `payload` into packets with 4-byte headers, starting at sequence id
 * `firstSeq`. Payloads of `MAX_PAYLOAD` bytes or more are split; a payload that
 * is an exact multiple of `MAX_PAYLOAD` ends with an empty packet, so the
 * receiver knows it is complete. Sequence ids wrap at 256. The next sequence
 * id is `(firstSeq + packetCount(payload.length)) & 0xff`.
 */
export function framePackets(firstSeq: number, payload: Uint8Array): Uint8Array {
  if (!Number.isInteger(firstSeq) || firstSeq < 0 || firstSeq > 0xff) {
    throw new RangeError(`Invalid sequence id ${firstSeq}`);
  }
  const count = packetCount(payload.length);
  const out = new Uint8Array(payload.length + count * HEADER_SIZE);
  let src = 0;
  let dst = 0;
  for (let i = 0; i < count; i++) {
    const n = Math.min(MAX_PAYLOAD, payload.length - src);
    out[dst] = n & 0xff;
    out[dst + 1] = (n >>> 8) & 0xff;
    out[dst + 2] = n >>> 16;
    out[dst + 3] = (firstSeq + i) & 0xff;
    out.set(payload.subarray(src, src + n), dst + HEADER_SIZE);
    src += n;
    dst += HEADER_SIZE + n;
  }
  return out;
}
