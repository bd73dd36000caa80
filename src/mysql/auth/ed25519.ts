/**
 * MariaDB `client_ed25519`: an Ed25519 signature of the server's 32-byte
 * nonce with a key derived from the password. It is RFC 8032 signing with
 * the password (any length) in the place of the 32-byte seed, so for a 32-byte
 * password it equals standard Ed25519 with that seed.
 *
 * Spec: https://mariadb.com/kb/en/authentication-plugin-ed25519/ and
 * MariaDB `plugin/auth_ed25519/ref10/sign.c`; RFC 8032 §5.1.6.
 * @module
 */

import { sha512 } from "./_digest.ts";
import {
  bytesToInteger,
  encodeBaseMultiple,
  integerToBytes,
  L,
  reduceScalar,
} from "./_ed25519_curve.ts";

/** Length of the server's nonce. */
export const ED25519_NONCE_LENGTH = 32;

interface ExpandedKey {
  readonly scalar: bigint;
  readonly prefix: Uint8Array;
  readonly publicKey: Uint8Array;
}

function expand(password: Uint8Array): ExpandedKey {
  const az = sha512(password);
  const a = az.slice(0, 32);
  a[0] &= 248;
  a[31] &= 127;
  a[31] |= 64;
  const scalar = bytesToInteger(a);
  return { scalar, prefix: az.subarray(32), publicKey: encodeBaseMultiple(scalar) };
}

/** The public key MariaDB stores for `password` (what `ed25519_password()` returns, unencoded). */
export function ed25519PublicKey(password: Uint8Array): Uint8Array {
  return expand(password).publicKey;
}

/** The 64-byte signature `R ‖ S` of `message` (the nonce) with the password-derived key. */
export function ed25519Sign(password: Uint8Array, message: Uint8Array): Uint8Array {
  const { scalar, prefix, publicKey } = expand(password);
  const r = reduceScalar(bytesToInteger(sha512(prefix, message)));
  const encodedR = encodeBaseMultiple(r);
  const k = reduceScalar(bytesToInteger(sha512(encodedR, publicKey, message)));
  const s = (r + k * scalar) % L;
  const signature = new Uint8Array(64);
  signature.set(encodedR);
  signature.set(integerToBytes(s), 32);
  return signature;
}
