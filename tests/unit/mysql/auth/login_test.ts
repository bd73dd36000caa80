import assert from "node:assert/strict";
import { createHash, createPrivateKey, generateKeyPairSync, privateDecrypt } from "node:crypto";
import { constants } from "node:crypto";
import sodium from "libsodium-wrappers";
import {
  BackendLogin,
  type BackendLoginOptions,
  type LoginCredentials,
  LoginError,
  type LoginStep,
  type RsaKeyCache,
} from "../../../../src/mysql/auth/login.ts";
import { parseHandshakeResponse, type ServerGreeting } from "../../../../src/mysql/handshake.ts";
import { buildErr, buildOk } from "../../../../src/mysql/response.ts";
import { ed25519PublicKey } from "../../../../src/mysql/auth/ed25519.ts";
import { Capability } from "../../../../src/mysql/constants.ts";
import { bytes, hex, toHex } from "../_bytes.ts";

await sodium.ready;

const NONCE = hex("0a1b2c3d4e5f60718293a4b5c6d7e8f901020304");
const ED_NONCE = hex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
const PASSWORD = bytes("s3cret!");
const CLIENT_CAPS = 0x818ff20f & 0x000fa68d; // a typical client, masked by the proxy's greeting
const OK = buildOk({ status: 2 }, Capability.PROTOCOL_41);
const ACCESS_DENIED = buildErr(
  { code: 1045, sqlState: "28000", message: "Access denied for user 'app'" },
  Capability.PROTOCOL_41,
);

const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PUBLIC_PEM = publicKey.export({ type: "spki", format: "pem" }).toString();
const PRIVATE_KEY = createPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" }));

function sha(algorithm: string, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return Uint8Array.from(a, (x, i) => x ^ b[i % b.length]);
}

/** Server-side checks, written from the protocol pages, independent of src/. */
const verify = {
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

function greeting(authPluginName: string | null, authData = NONCE): ServerGreeting {
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

function credentials(over: Partial<LoginCredentials> = {}): LoginCredentials {
  return { user: bytes("app"), password: PASSWORD, passwordSha1: null, database: null, ...over };
}

function login(over: Partial<BackendLoginOptions> = {}): BackendLogin {
  return new BackendLogin({
    credentials: credentials(),
    clientCapabilities: CLIENT_CAPS,
    greeting: greeting("mysql_native_password"),
    ...over,
  });
}

function authSwitch(plugin: string, data: Uint8Array): Uint8Array {
  return bytes([0xfe], plugin, [0], data);
}

function sent(step: LoginStep): Uint8Array {
  assert.equal(step.kind, "send");
  return (step as { payload: Uint8Array }).payload;
}

Deno.test("login: HandshakeResponse follows behaviour.md §2", async () => {
  const l = login({ credentials: credentials({ database: bytes("shop") }) });
  const r = parseHandshakeResponse(await l.start());
  assert.equal(r.capabilities, l.capabilities);
  assert.equal(r.capabilities, (CLIENT_CAPS | 0x8200 | 0x280008) >>> 0);
  assert.deepEqual([r.maxPacketSize, r.charset], [0x01000000, 0x21]);
  assert.deepEqual([r.user, r.database, r.authPluginName], [
    bytes("app"),
    bytes("shop"),
    "mysql_native_password",
  ]);
  assert.ok(verify.native(r.authResponse, NONCE, PASSWORD));
});

Deno.test("login: without a database CONNECT_WITH_DB is not sent", async () => {
  const r = parseHandshakeResponse(await login({ clientCapabilities: 0x818ff20f }).start());
  assert.equal(r.capabilities & Capability.CONNECT_WITH_DB, 0);
  assert.equal(r.database, null);
});

Deno.test("login: mysql_native_password from the greeting, then OK", async () => {
  const l = login();
  parseHandshakeResponse(await l.start());
  assert.deepEqual(await l.onPacket(OK), { kind: "ok", payload: OK });
  assert.ok(l.finished);
});

Deno.test("login: password_sha1 gives the same native scramble as the password", async () => {
  const l = login({
    credentials: credentials({ password: null, passwordSha1: sha("sha1", PASSWORD) }),
  });
  assert.ok(verify.native(parseHandshakeResponse(await l.start()).authResponse, NONCE, PASSWORD));
});

Deno.test("login: the empty password sends an empty native response (original's defect)", async () => {
  for (const c of [{ password: new Uint8Array(0) }, { password: null }]) {
    const r = parseHandshakeResponse(await login({ credentials: credentials(c) }).start());
    assert.equal(r.authResponse.length, 0);
  }
});

Deno.test("login: an ERR ends the login with the decoded error", async () => {
  const l = login();
  await l.start();
  const step = await l.onPacket(ACCESS_DENIED);
  assert.deepEqual(step, {
    kind: "err",
    error: { code: 1045, sqlState: "28000", message: "Access denied for user 'app'" },
    payload: ACCESS_DENIED,
  });
  await assert.rejects(() => l.onPacket(OK), LoginError);
});

Deno.test("login: caching_sha2_password fast auth waits for the OK after 0x01 0x03", async () => {
  const l = login({ greeting: greeting("caching_sha2_password") });
  const r = parseHandshakeResponse(await l.start());
  assert.equal(r.authPluginName, "caching_sha2_password");
  assert.ok(verify.sha2(r.authResponse, NONCE, PASSWORD));
  assert.deepEqual(await l.onPacket(hex("0103")), { kind: "wait" });
  assert.equal((await l.onPacket(OK)).kind, "ok");
});

Deno.test("login: caching_sha2_password full auth requests the key once, then uses the cache", async () => {
  const cache: RsaKeyCache = new Map();
  const first = login({
    greeting: greeting("caching_sha2_password"),
    rsaKeyCache: cache,
    serverKey: "db1",
  });
  await first.start();
  assert.equal(toHex(sent(await first.onPacket(hex("0104")))), "02");
  const encrypted = sent(await first.onPacket(bytes([1], PUBLIC_PEM)));
  assert.ok(verify.rsa(encrypted, NONCE, PASSWORD));
  assert.equal((await first.onPacket(OK)).kind, "ok");
  assert.ok(cache.get("db1") instanceof CryptoKey);

  const second = login({
    greeting: greeting("caching_sha2_password"),
    rsaKeyCache: cache,
    serverKey: "db1",
  });
  await second.start();
  const direct = sent(await second.onPacket(hex("0104")));
  assert.equal(direct.length, 256, "encrypted password without a key request");
  assert.ok(verify.rsa(direct, NONCE, PASSWORD));
  assert.equal((await second.onPacket(OK)).kind, "ok");
});

Deno.test("login: a PEM string in the cache is used as well", async () => {
  const cache: RsaKeyCache = new Map([["db1", PUBLIC_PEM]]);
  const l = login({
    greeting: greeting("caching_sha2_password"),
    rsaKeyCache: cache,
    serverKey: "db1",
  });
  await l.start();
  assert.ok(verify.rsa(sent(await l.onPacket(hex("0104"))), NONCE, PASSWORD));
});

Deno.test("login: an ERR after using a cached key drops it from the cache", async () => {
  const cache: RsaKeyCache = new Map([["db1", PUBLIC_PEM]]);
  const l = login({
    greeting: greeting("caching_sha2_password"),
    rsaKeyCache: cache,
    serverKey: "db1",
  });
  await l.start();
  sent(await l.onPacket(hex("0104")));
  assert.equal((await l.onPacket(ACCESS_DENIED)).kind, "err");
  assert.equal(cache.has("db1"), false);
});

Deno.test("login: caching_sha2_password full auth on a secure transport sends the clear password", async () => {
  const l = login({ greeting: greeting("caching_sha2_password"), secureTransport: true });
  await l.start();
  assert.equal(toHex(sent(await l.onPacket(hex("0104")))), toHex(bytes(PASSWORD, [0])));
});

Deno.test("login: a bad public key from the server is a LoginError", async () => {
  const l = login({ greeting: greeting("caching_sha2_password") });
  await l.start();
  sent(await l.onPacket(hex("0104")));
  await assert.rejects(
    () => l.onPacket(bytes([1], "not a key")),
    (e: unknown) => e instanceof LoginError && e.reason === "public_key",
  );
});

const switchCases = [
  {
    plugin: "mysql_native_password",
    data: bytes(NONCE, [0]),
    check: (resp: Uint8Array) => verify.native(resp, NONCE, PASSWORD),
  },
  {
    plugin: "mysql_clear_password",
    data: new Uint8Array(0),
    check: (resp: Uint8Array) => toHex(resp) === toHex(bytes(PASSWORD, [0])),
  },
  {
    plugin: "client_ed25519",
    data: ED_NONCE,
    check: (resp: Uint8Array) =>
      sodium.crypto_sign_verify_detached(resp, ED_NONCE, ed25519PublicKey(PASSWORD)),
  },
  {
    plugin: "caching_sha2_password",
    data: bytes(NONCE, [0]),
    check: (resp: Uint8Array) => verify.sha2(resp, NONCE, PASSWORD),
  },
];

for (const c of switchCases) {
  Deno.test(`login: AuthSwitchRequest to ${c.plugin}`, async () => {
    const other = hex("ffeeddccbbaa99887766554433221100ffeeddcc");
    const l = login({ greeting: greeting("mysql_native_password", other) });
    await l.start();
    const response = sent(await l.onPacket(authSwitch(c.plugin, c.data)));
    assert.ok(c.check(response), "server rejects the response");
    assert.equal(l.pluginName, c.plugin);
    if (c.plugin === "caching_sha2_password") {
      assert.equal((await l.onPacket(hex("0103"))).kind, "wait");
    }
    assert.equal((await l.onPacket(OK)).kind, "ok");
  });
}

for (const plugin of ["mysql_clear_password", "client_ed25519", "caching_sha2_password"]) {
  Deno.test(`login: ${plugin} with only password_sha1 is a clear LoginError`, async () => {
    const l = login({
      credentials: credentials({ password: null, passwordSha1: sha("sha1", PASSWORD) }),
    });
    await l.start();
    const data = plugin === "client_ed25519" ? ED_NONCE : bytes(NONCE, [0]);
    await assert.rejects(
      () => l.onPacket(authSwitch(plugin, data)),
      (e: unknown) =>
        e instanceof LoginError && e.reason === "password_required" && e.message.includes(plugin),
    );
  });
}

Deno.test("login: a caching_sha2 greeting with only password_sha1 starts with mysql_native_password", async () => {
  const l = login({
    greeting: greeting("caching_sha2_password"),
    credentials: credentials({ password: null, passwordSha1: sha("sha1", PASSWORD) }),
  });
  const r = parseHandshakeResponse(await l.start());
  assert.equal(r.authPluginName, "mysql_native_password");
  assert.ok(verify.native(r.authResponse, NONCE, PASSWORD));
});

Deno.test("login: an unknown greeting plugin starts with mysql_native_password", async () => {
  const r = parseHandshakeResponse(
    await login({ greeting: greeting("auth_gssapi_client") }).start(),
  );
  assert.equal(r.authPluginName, "mysql_native_password");
});

Deno.test("login: a greeting without PLUGIN_AUTH means mysql_native_password", async () => {
  const r = parseHandshakeResponse(await login({ greeting: greeting(null) }).start());
  assert.equal(r.authPluginName, "mysql_native_password");
  assert.ok(verify.native(r.authResponse, NONCE, PASSWORD));
});

const failureCases: [string, Uint8Array, string][] = [
  [
    "switch to an unknown plugin",
    authSwitch("sha256_password", bytes(NONCE, [0])),
    "unsupported_plugin",
  ],
  ["switch to mysql_old_password (bare 0xFE)", hex("fe"), "unsupported_plugin"],
  ["ed25519 nonce of the wrong length", authSwitch("client_ed25519", NONCE), "bad_auth_data"],
  [
    "native nonce of the wrong length",
    authSwitch("mysql_native_password", hex("0102")),
    "bad_auth_data",
  ],
  ["AuthMoreData during native login", hex("0103"), "protocol"],
  ["an unknown packet type", hex("0a"), "protocol"],
];

for (const [name, packet, reason] of failureCases) {
  Deno.test(`login: ${name} is a LoginError "${reason}"`, async () => {
    const l = login();
    await l.start();
    await assert.rejects(
      () => l.onPacket(packet),
      (e: unknown) => e instanceof LoginError && e.reason === reason,
    );
  });
}

Deno.test("login: a bad fast-auth result is a LoginError", async () => {
  const l = login({ greeting: greeting("caching_sha2_password") });
  await l.start();
  await assert.rejects(() => l.onPacket(hex("0105")), LoginError);
});

Deno.test("login: packets before start() are refused", async () => {
  await assert.rejects(() => login().onPacket(OK), LoginError);
});
