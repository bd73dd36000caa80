import assert from "node:assert/strict";
import { LoginError } from "../../../../src/mysql/auth/login.ts";
import { parseHandshakeResponse } from "../../../../src/mysql/handshake.ts";
import { Capability } from "../../../../src/mysql/constants.ts";
import { bytes, hex } from "../_bytes.ts";
import {
  ACCESS_DENIED,
  authSwitch,
  CLIENT_CAPS,
  credentials,
  greeting,
  login,
  NONCE,
  OK,
  PASSWORD,
  sha,
  verify,
} from "./_login_fixture.ts";

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
