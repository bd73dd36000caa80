/**
 * Shared fixture of the BackendLogin tests: a simulated server side whose
 * checks follow the protocol pages, independent of src/ (private to this folder).
 * @module
 */

import assert from "node:assert/strict";
import { createHash, createPrivateKey, generateKeyPairSync, privateDecrypt } from "node:crypto";
import { constants } from "node:crypto";
import {
  BackendLogin,
  type BackendLoginOptions,
  type LoginCredentials,
  type LoginStep,
} from "../../../../src/mysql/auth/login.ts";
import type { ServerGreeting } from "../../../../src/mysql/handshake.ts";
import { buildErr, buildOk } from "../../../../src/mysql/response.ts";
import { Capability } from "../../../../src/mysql/constants.ts";
import { bytes, hex, toHex } from "../_bytes.ts";

export const NONCE = hex("0a1b2c3d4e5f60718293a4b5c6d7e8f901020304");
export const ED_NONCE = hex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
export const PASSWORD = bytes("s3cret!");
export const CLIENT_CAPS = 0x818ff20f & 0x000fa68d; // a typical client, masked by the proxy's greeting
export const OK = buildOk({ status: 2 }, Capability.PROTOCOL_41);
export const ACCESS_DENIED = buildErr(
  { code: 1045, sqlState: "28000", message: "Access denied for user 'app'" },
  Capability.PROTOCOL_41,
);

const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
export const PUBLIC_PEM = publicKey.export({ type: "spki", format: "pem" }).toString();
const PRIVATE_KEY = createPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" }));

export function sha(algorithm: string, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return Uint8Array.from(a, (x, i) => x ^ b[i % b.length]);
}

/** Server-side checks, written from the protocol pages, independent of src/. */
export const verify = {
  native(response: Uint8Array, nonce: Uint8Array, password: Uint8Array): boolean {
    if (password.length === 0) return response.length === 0;
    const stored = sha("sha1", sha("sha1", password));
    return toHex(sha("sha1", xor(response, sha("sha1", nonce, stored)))) === toHex(stored);
  },
  sha2(response: Uint8Array, nonce: Uint8Array, password: Uint8Array): boolean {
    if (password.length === 0) return response.length === 0;
    const stored = sha("sha256", sha("sha256", password));
    return toHex(sha("sha256", xor(response, sha("sha256", stored, nonce)))) === toHex(stored);
  },
  rsa(response: Uint8Array, nonce: Uint8Array, password: Uint8Array): boolean {
    const plain = privateDecrypt(
      { key: PRIVATE_KEY, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
      response,
    );
    return toHex(xor(new Uint8Array(plain), nonce)) === toHex(bytes(password, [0]));
  },
};

export function greeting(authPluginName: string | null, authData = NONCE): ServerGreeting {
  return {
    protocolVersion: 10,
    serverVersion: "8.0.33",
    connectionId: 1,
    authData,
    capabilities: 0xdfffffff,
    charset: 0xff,
    status: 2,
    authPluginName,
  };
}

export function credentials(over: Partial<LoginCredentials> = {}): LoginCredentials {
  return { user: bytes("app"), password: PASSWORD, passwordSha1: null, database: null, ...over };
}

export function login(over: Partial<BackendLoginOptions> = {}): BackendLogin {
  return new BackendLogin({
    credentials: credentials(),
    clientCapabilities: CLIENT_CAPS,
    greeting: greeting("mysql_native_password"),
    ...over,
  });
}

export function authSwitch(plugin: string, data: Uint8Array): Uint8Array {
  return bytes([0xfe], plugin, [0], data);
}

export function sent(step: LoginStep): Uint8Array {
  assert.equal(step.kind, "send");
  return (step as { payload: Uint8Array }).payload;
}
