/**
 * Test helpers for byte-literal codec tests (private to tests/unit/mysql).
 * @module
 */

import assert from "node:assert/strict";
import { MalformedPacketError } from "../../../src/mysql/errors.ts";

/** Bytes from hex text; spaces and newlines are ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  assert.equal(clean.length % 2, 0, `odd hex length: ${text}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Concatenation of byte arrays and UTF-8 strings. */
export function bytes(...parts: (Uint8Array | string | number[])[]): Uint8Array {
  const arrays = parts.map((p) =>
    typeof p === "string"
      ? new TextEncoder().encode(p)
      : p instanceof Uint8Array
      ? p
      : Uint8Array.from(p)
  );
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/**
 * Asserts that `parse` throws `MalformedPacketError` (never `RangeError` or a
 * garbage result) for every prefix of `packet` shorter than `upTo` bytes
 * (default: all proper prefixes).
 */
export function assertEveryPrefixThrows(
  parse: (payload: Uint8Array) => unknown,
  packet: Uint8Array,
  upTo = packet.length,
): void {
  for (let n = 0; n < upTo; n++) {
    // A copy, so a reader cannot peek past the prefix into the original buffer.
    const prefix = packet.slice(0, n);
    assert.throws(
      () => parse(prefix),
      MalformedPacketError,
      `prefix of ${n} of ${packet.length} bytes was accepted`,
    );
  }
}
