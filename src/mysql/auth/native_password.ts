/**
 * `mysql_native_password`: `SHA1(pw) XOR SHA1(nonce ‖ SHA1(SHA1(pw)))`.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_native_password_authentication.html
 * @module
 */

import { NONCE_LENGTH } from "../constants.ts";
import { sha1, xorCycled } from "./_digest.ts";

const SHA1_LENGTH = 20;
const EMPTY_SHA1 = sha1(new Uint8Array(0));

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== NONCE_LENGTH) {
    throw new RangeError(
      `mysql_native_password needs a ${NONCE_LENGTH}-byte nonce, got ${nonce.length}`,
    );
  }
}

/**
 * The auth response for the password's SHA-1 (`password_sha1`). The SHA-1 of
 * the empty password gives the empty response, as for the clear password.
 */
export function nativePasswordFromSha1(passwordSha1: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (passwordSha1.length !== SHA1_LENGTH) {
    throw new RangeError(`A password SHA-1 has ${SHA1_LENGTH} bytes, got ${passwordSha1.length}`);
  }
  checkNonce(nonce);
  if (equalBytes(passwordSha1, EMPTY_SHA1)) return new Uint8Array(0);
  return xorCycled(passwordSha1, sha1(nonce, sha1(passwordSha1)));
}

/**
 * The auth response for a clear-text password and the 20-byte nonce. The
 * empty password gives the empty response: servers reject a scramble for an
 * account without password (the original myproxy's defect).
 */
export function nativePassword(password: Uint8Array, nonce: Uint8Array): Uint8Array {
  checkNonce(nonce);
  if (password.length === 0) return new Uint8Array(0);
  return nativePasswordFromSha1(sha1(password), nonce);
}
