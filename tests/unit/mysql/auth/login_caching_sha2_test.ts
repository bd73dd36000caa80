import assert from "node:assert/strict";
import { LoginError, type RsaKeyCache } from "../../../../src/mysql/auth/login.ts";
import { parseHandshakeResponse } from "../../../../src/mysql/handshake.ts";
import { bytes, hex, toHex } from "../_bytes.ts";
import {
  ACCESS_DENIED,
  greeting,
  login,
  NONCE,
  OK,
  PASSWORD,
  PUBLIC_PEM,
  sent,
  verify,
} from "./_login_fixture.ts";

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
