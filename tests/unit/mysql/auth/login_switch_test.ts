import assert from "node:assert/strict";
import sodium from "libsodium-wrappers";
import { LoginError } from "../../../../src/mysql/auth/login.ts";
import { ed25519PublicKey } from "../../../../src/mysql/auth/ed25519.ts";
import { bytes, hex, toHex } from "../_bytes.ts";
import {
  authSwitch,
  credentials,
  ED_NONCE,
  greeting,
  login,
  NONCE,
  OK,
  PASSWORD,
  sent,
  sha,
  verify,
} from "./_login_fixture.ts";

await sodium.ready;

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
