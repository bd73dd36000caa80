/**
 * `caching_sha2_password`, client side: the fast-auth scramble and the
 * RSA-encrypted password of the full authentication.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_caching_sha2_authentication_exchanges.html
 * @module
 */

import { createPublicKey } from "node:crypto";
import { NONCE_LENGTH } from "../constants.ts";
import { sha256, xorCycled } from "./_digest.ts";
import { clearPassword } from "./clear_password.ts";

/** The bytes exchanged after the scramble (AuthMoreData payloads without the 0x01). */
export const CachingSha2 = {
  /** Client → server: "send me your RSA public key". */
  REQUEST_PUBLIC_KEY: 0x02,
  /** Server → client: the scramble matched the cache; an OK follows. */
  FAST_AUTH_SUCCESS: 0x03,
  /** Server → client: send the password (RSA-encrypted unless the transport is secure). */
  PERFORM_FULL_AUTH: 0x04,
} as const;

/**
 * The fast-auth scramble `SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) ‖ nonce)`;
 * empty for the empty password.
 */
export function cachingSha2Scramble(password: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (nonce.length !== NONCE_LENGTH) {
    throw new RangeError(
      `caching_sha2_password needs a ${NONCE_LENGTH}-byte nonce, got ${nonce.length}`,
    );
  }
  if (password.length === 0) return new Uint8Array(0);
  const stage1 = sha256(password);
  return xorCycled(stage1, sha256(sha256(stage1), nonce));
}

/**
 * Imports the server's RSA public key (PEM, SPKI "PUBLIC KEY" or PKCS#1
 * "RSA PUBLIC KEY") for RSA-OAEP with SHA-1, which is what MySQL's
 * `RSA_PKCS1_OAEP_PADDING` means. Throws on anything that is not an RSA key.
 */
export async function importRsaPublicKey(pem: string): Promise<CryptoKey> {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== "rsa") {
    throw new TypeError(`Expected an RSA public key, got ${key.asymmetricKeyType}`);
  }
  const der = key.export({ type: "spki", format: "der" });
  return await crypto.subtle.importKey(
    "spki",
    new Uint8Array(der),
    { name: "RSA-OAEP", hash: "SHA-1" },
    false,
    ["encrypt"],
  );
}

/**
 * Encrypts `(password ‖ 0x00) XOR nonce` (nonce repeated) with the server's
 * RSA public key, as sent after PERFORM_FULL_AUTH on an insecure transport.
 */
export async function cachingSha2EncryptPassword(
  password: Uint8Array,
  nonce: Uint8Array,
  publicKey: CryptoKey | string,
): Promise<Uint8Array> {
  const key = typeof publicKey === "string" ? await importRsaPublicKey(publicKey) : publicKey;
  const plain = xorCycled(clearPassword(password), nonce);
  const encrypted = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, key, plain);
  return new Uint8Array(encrypted);
}
