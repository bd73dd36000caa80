/**
 * The one bounds-checked reader for MySQL payloads. Every read checks the
 * remaining length first and throws `MalformedPacketError`; nothing relies on
 * `RangeError` or on `undefined` from an out-of-range index.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_data_types.html
 * @module
 */

import { MalformedPacketError } from "./errors.ts";

const decoder = new TextDecoder();

/**
 * Sequential reader over one payload. Byte-returning methods return
 * `subarray` views of the payload (zero-copy); the `…Copy` variants return
 * fresh arrays for values that outlive the packet buffer.
 */
export class PacketReader {
  readonly #buf: Uint8Array;
  #pos: number;

  /** Reads `payload` starting at `offset`. */
  constructor(payload: Uint8Array, offset = 0) {
    if (!Number.isInteger(offset) || offset < 0 || offset > payload.length) {
      throw new MalformedPacketError(`Reader offset ${offset} is outside the payload`);
    }
    this.#buf = payload;
    this.#pos = offset;
  }

  /** Current position. */
  get offset(): number {
    return this.#pos;
  }

  /** Bytes left. */
  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  /** Whether every byte has been read. */
  get atEnd(): boolean {
    return this.#pos >= this.#buf.length;
  }

  #need(n: number, what: string): number {
    if (n > this.#buf.length - this.#pos) {
      throw new MalformedPacketError(
        `Truncated packet: ${what} needs ${n} bytes at offset ${this.#pos}, ${this.remaining} left`,
      );
    }
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  /** The next byte without consuming it. */
  peek(): number {
    if (this.atEnd) {
      throw new MalformedPacketError(`Truncated packet: nothing at offset ${this.#pos}`);
    }
    return this.#buf[this.#pos];
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    this.#need(n, "skip");
  }

  /** 1-byte unsigned integer. */
  u8(): number {
    return this.#buf[this.#need(1, "int<1>")];
  }

  /** 2-byte little-endian unsigned integer. */
  u16(): number {
    const at = this.#need(2, "int<2>");
    return this.#buf[at] | (this.#buf[at + 1] << 8);
  }

  /** 3-byte little-endian unsigned integer. */
  u24(): number {
    const at = this.#need(3, "int<3>");
    return this.#buf[at] | (this.#buf[at + 1] << 8) | (this.#buf[at + 2] << 16);
  }

  /** 4-byte little-endian unsigned integer (multiplication keeps bit 31 unsigned). */
  u32(): number {
    const b = this.#buf;
    const at = this.#need(4, "int<4>");
    return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;
  }

  /** 8-byte little-endian unsigned integer, exact. */
  u64(): bigint {
    const at = this.#need(8, "int<8>");
    const b = this.#buf;
    const lo = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;
    const hi = (b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16)) + b[at + 7] * 0x1000000;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * Length-encoded integer as a bigint. `0xFB` (NULL in rows) and `0xFF` are
   * not integers and throw.
   */
  lenencBigInt(): bigint {
    const first = this.u8();
    if (first < 0xfb) return BigInt(first);
    switch (first) {
      case 0xfc:
        return BigInt(this.u16());
      case 0xfd:
        return BigInt(this.u24());
      case 0xfe:
        return this.u64();
      default:
        throw new MalformedPacketError(
          `Invalid length-encoded integer prefix 0x${first.toString(16)} at offset ${
            this.#pos - 1
          }`,
        );
    }
  }

  /** Length-encoded integer as a number; throws beyond `Number.MAX_SAFE_INTEGER`. */
  lenencInt(): number {
    const first = this.peek();
    if (first < 0xfb) {
      this.#pos++;
      return first;
    }
    if (first === 0xfc) {
      this.#pos++;
      return this.u16();
    }
    if (first === 0xfd) {
      this.#pos++;
      return this.u24();
    }
    const at = this.#pos;
    const value = this.lenencBigInt();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new MalformedPacketError(
        `Length-encoded integer at offset ${at} is too large: ${value}`,
      );
    }
    return Number(value);
  }

  /** `n` bytes (view). */
  bytes(n: number): Uint8Array {
    const at = this.#need(n, `string<${n}>`);
    return this.#buf.subarray(at, at + n);
  }

  /** `n` bytes (copy). */
  bytesCopy(n: number): Uint8Array {
    return this.bytes(n).slice();
  }

  /** Length-encoded string (view). */
  lenencBytes(): Uint8Array {
    const length = this.lenencInt();
    return this.bytes(length);
  }

  /** Length-encoded string (copy). */
  lenencBytesCopy(): Uint8Array {
    return this.lenencBytes().slice();
  }

  /** Length-encoded string decoded as UTF-8. */
  lenencString(): string {
    return decoder.decode(this.lenencBytes());
  }

  /** NUL-terminated string without its NUL (view); the NUL is consumed. */
  nulBytes(): Uint8Array {
    const start = this.#pos;
    const end = this.#buf.indexOf(0, start);
    if (end < 0) {
      throw new MalformedPacketError(`Truncated packet: missing NUL after offset ${start}`);
    }
    this.#pos = end + 1;
    return this.#buf.subarray(start, end);
  }

  /** NUL-terminated string without its NUL (copy). */
  nulBytesCopy(): Uint8Array {
    return this.nulBytes().slice();
  }

  /** NUL-terminated string decoded as UTF-8. */
  nulString(): string {
    return decoder.decode(this.nulBytes());
  }

  /** Fixed-length string decoded as UTF-8. */
  string(n: number): string {
    return decoder.decode(this.bytes(n));
  }

  /** Everything left (view). */
  rest(): Uint8Array {
    const at = this.#pos;
    this.#pos = this.#buf.length;
    return this.#buf.subarray(at);
  }

  /** Everything left (copy). */
  restCopy(): Uint8Array {
    return this.rest().slice();
  }

  /** Everything left decoded as UTF-8. */
  restString(): string {
    return decoder.decode(this.rest());
  }
}
