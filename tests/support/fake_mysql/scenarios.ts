/**
 * Ready-made server sides of a login, checking what the client sends the way
 * mysqld/MariaDB do (from the stored hash, not by recomputing the client's
 * answer): greeting, HandshakeResponse, optional AuthSwitch, OK or ERR 1045.
 * @module
 */

import { createHash } from "node:crypto";
import sodium from "libsodium-wrappers";
import { ed25519PublicKey } from "../../../src/mysql/auth/ed25519.ts";
import { AuthPlugin, Header } from "../../../src/mysql/constants.ts";
import type { HandshakeResponse } from "../../../src/mysql/handshake.ts";
import { type FakeMysqlConnection, randomNonce } from "./connection.ts";
import { rsaDecrypt } from "./rsa.ts";

/** How a scenario ended. */
export interface LoginOutcome {
  /** Whether the server answered OK. */
  readonly ok: boolean;
  readonly response: HandshakeResponse;
  /** Whether the client asked for the RSA public key (caching_sha2 full auth). */
  readonly publicKeyRequested: boolean;
  /** The sequence id after the final OK/ERR (informational: commands restart at 0). */
  readonly nextSequenceId: number;
}

/** A password as text or bytes. */
export type Password = string | Uint8Array;

function toBytes(password: Password): Uint8Array {
  return typeof password === "string" ? new TextEncoder().encode(password) : password;
}

function hash(algorithm: string, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return Uint8Array.from(a, (x, i) => x ^ b[i % b.length]);
}

function withNul(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** mysql_native_password as the server checks it against SHA1(SHA1(pw)). */
export function checkNativePassword(
  response: Uint8Array,
  nonce: Uint8Array,
  password: Password,
): boolean {
  const pw = toBytes(password);
  if (pw.length === 0 || response.length === 0) return pw.length === 0 && response.length === 0;
  const stored = hash("sha1", hash("sha1", pw));
  return equal(hash("sha1", xor(response, hash("sha1", nonce, stored))), stored);
}

/** The caching_sha2 scramble as the server checks it against SHA256(SHA256(pw)). */
export function checkCachingSha2Scramble(
  response: Uint8Array,
  nonce: Uint8Array,
  password: Password,
): boolean {
  const pw = toBytes(password);
  if (pw.length === 0 || response.length === 0) return pw.length === 0 && response.length === 0;
  const stored = hash("sha256", hash("sha256", pw));
  return equal(hash("sha256", xor(response, hash("sha256", stored, nonce))), stored);
}

/** client_ed25519 as MariaDB checks it: the signature against the stored public key. */
export async function checkEd25519(
  response: Uint8Array,
  nonce: Uint8Array,
  password: Password,
): Promise<boolean> {
  await sodium.ready;
  return response.length === 64 &&
    sodium.crypto_sign_verify_detached(response, nonce, ed25519PublicKey(toBytes(password)));
}

async function finish(
  conn: FakeMysqlConnection,
  sequenceId: number,
  ok: boolean,
  response: HandshakeResponse,
  publicKeyRequested: boolean,
): Promise<LoginOutcome> {
  if (ok) await conn.sendOk(sequenceId);
  else await conn.sendErr(sequenceId);
  return { ok, response, publicKeyRequested, nextSequenceId: (sequenceId + 1) & 0xff };
}

/** Options of `cachingSha2Login`. */
export interface CachingSha2Options {
  /** Pretend the cache misses: demand the password (0x01 0x04). Default false. */
  readonly fullAuth?: boolean;
  /**
   * Whether full auth takes the clear password (TLS/unix socket, like mysqld)
   * instead of the RSA exchange. Default: true on unix sockets.
   */
  readonly secureTransport?: boolean;
}

/**
 * A MySQL 8 login with caching_sha2_password: fast auth (0x01 0x03 + OK) or
 * full auth (0x01 0x04, optional public-key request, RSA-OAEP decryption with
 * the server's key). A client that starts with another plugin is switched.
 */
export async function cachingSha2Login(
  conn: FakeMysqlConnection,
  password: Password,
  options: CachingSha2Options = {},
): Promise<LoginOutcome> {
  const pw = toBytes(password);
  const nonce = await conn.sendGreeting({ authPluginName: AuthPlugin.CACHING_SHA2_PASSWORD });
  const { packet, response } = await conn.readHandshakeResponse();
  let scramble = response.authResponse;
  let seq = packet.lastSequenceId + 1;
  if (response.authPluginName !== AuthPlugin.CACHING_SHA2_PASSWORD) {
    await conn.sendAuthSwitch(seq, AuthPlugin.CACHING_SHA2_PASSWORD, withNul(nonce));
    const reply = await conn.readPacket();
    scramble = reply.payload;
    seq = reply.lastSequenceId + 1;
  }
  if (scramble.length === 0) return await finish(conn, seq, pw.length === 0, response, false);
  if (!options.fullAuth) {
    if (!checkCachingSha2Scramble(scramble, nonce, pw)) {
      return await finish(conn, seq, false, response, false);
    }
    await conn.writePacket(seq, Uint8Array.of(Header.AUTH_MORE_DATA, 0x03));
    return await finish(conn, seq + 1, true, response, false);
  }
  await conn.writePacket(seq, Uint8Array.of(Header.AUTH_MORE_DATA, 0x04));
  let reply = await conn.readPacket();
  if (options.secureTransport ?? conn.context.transport === "unix") {
    return await finish(
      conn,
      reply.lastSequenceId + 1,
      equal(reply.payload, withNul(pw)),
      response,
      false,
    );
  }
  let publicKeyRequested = false;
  const keys = await conn.context.rsaKeys();
  if (reply.payload.length === 1 && reply.payload[0] === 0x02) {
    publicKeyRequested = true;
    const pem = new TextEncoder().encode(keys.publicKeyPem);
    await conn.writePacket(reply.lastSequenceId + 1, Uint8Array.of(Header.AUTH_MORE_DATA, ...pem));
    reply = await conn.readPacket();
  }
  const plain = await rsaDecrypt(keys, reply.payload);
  const ok = plain !== null && equal(xor(plain, nonce), withNul(pw));
  return await finish(conn, reply.lastSequenceId + 1, ok, response, publicKeyRequested);
}

/** Options of `authSwitchTo`. */
export interface AuthSwitchOptions {
  /** The plugin the greeting names. Default mysql_native_password (like MariaDB). */
  readonly initialPlugin?: string;
}

/**
 * Greets, reads the HandshakeResponse (ignoring its auth data), switches to
 * `plugin` (native, clear, client_ed25519 or caching_sha2 fast auth) and
 * checks the answer against `password`.
 */
export async function authSwitchTo(
  conn: FakeMysqlConnection,
  plugin: string,
  password: Password,
  options: AuthSwitchOptions = {},
): Promise<LoginOutcome> {
  await conn.sendGreeting({ authPluginName: options.initialPlugin ?? AuthPlugin.NATIVE_PASSWORD });
  const { packet, response } = await conn.readHandshakeResponse();
  const nonce = randomNonce(plugin === AuthPlugin.ED25519 ? 32 : 20);
  const data = plugin === AuthPlugin.ED25519
    ? nonce
    : plugin === AuthPlugin.CLEAR_PASSWORD
    ? new Uint8Array(0)
    : withNul(nonce);
  await conn.sendAuthSwitch(packet.lastSequenceId + 1, plugin, data);
  const reply = await conn.readPacket();
  const seq = reply.lastSequenceId + 1;
  const answer = reply.payload;
  switch (plugin) {
    case AuthPlugin.NATIVE_PASSWORD:
      return await finish(conn, seq, checkNativePassword(answer, nonce, password), response, false);
    case AuthPlugin.CLEAR_PASSWORD:
      return await finish(conn, seq, equal(answer, withNul(toBytes(password))), response, false);
    case AuthPlugin.ED25519:
      return await finish(conn, seq, await checkEd25519(answer, nonce, password), response, false);
    case AuthPlugin.CACHING_SHA2_PASSWORD: {
      if (!checkCachingSha2Scramble(answer, nonce, password)) {
        return await finish(conn, seq, false, response, false);
      }
      await conn.writePacket(seq, Uint8Array.of(Header.AUTH_MORE_DATA, 0x03));
      return await finish(conn, seq + 1, true, response, false);
    }
    default:
      throw new Error(`authSwitchTo cannot check plugin "${plugin}"`);
  }
}

/**
 * Greets and accepts whatever HandshakeResponse arrives with OK (or ERR when
 * `accept` says no): for tests about what comes after the login.
 */
export async function acceptLogin(
  conn: FakeMysqlConnection,
  options: {
    authPluginName?: string;
    serverVersion?: string;
    accept?: (r: HandshakeResponse) => boolean;
  } = {},
): Promise<LoginOutcome> {
  await conn.sendGreeting({
    authPluginName: options.authPluginName,
    serverVersion: options.serverVersion,
  });
  const { packet, response } = await conn.readHandshakeResponse();
  const ok = options.accept?.(response) ?? true;
  return await finish(conn, packet.lastSequenceId + 1, ok, response, false);
}
