/**
 * Synchronous hashes and XOR for the auth plugins (private to `auth/`).
 * @module
 */

import { createHash } from "node:crypto";

function digest(algorithm: string, parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash(algorithm);
  for (const part of parts) h.update(part);
  const out = h.digest();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** SHA-1 over the concatenation of `parts`. */
export function sha1(...parts: Uint8Array[]): Uint8Array {
  return digest("sha1", parts);
}

/** SHA-256 over the concatenation of `parts`. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  return digest("sha256", parts);
}

/** SHA-512 over the concatenation of `parts`. */
export function sha512(...parts: Uint8Array[]): Uint8Array {
  return digest("sha512", parts);
}

/** `a XOR b`, with `b` repeated as often as needed to cover `a`. */
export function xorCycled(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  if (b.length === 0) throw new RangeError("Cannot XOR with an empty key");
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i % b.length];
  return out;
}
