import assert from "node:assert/strict";
import { authenticationMessage, MAX_USER_BYTES } from "../../../src/cdc/auth.ts";
import { CdcArgumentError } from "../../../src/cdc/errors.ts";

Deno.test("login message matches the protocol's test vectors", () => {
  const vectors = [
    ["foobar", "foopasswd", "666f6f6261723a96c86eb4479c9e3142111cf29d931bcddf248783"],
    ["maxuser", "maxpwd", "6d6178757365723a4a8bbec273435b777d0f3d71441e173f8968e2f1"],
  ];
  for (const [user, password, expected] of vectors) {
    assert.equal(authenticationMessage(user, password), expected, `${user}/${password}`);
  }
});

Deno.test("login message hashes the raw SHA1 digest, not its hex text", () => {
  // hex("u:") followed by 20 digest bytes = 2 + 1 + 20 bytes = 46 hex characters.
  assert.equal(authenticationMessage("u", "p").length, (1 + 1 + 20) * 2);
});

Deno.test("login message encodes user and password as UTF-8", () => {
  const message = authenticationMessage("é", "mot de passe");
  assert.ok(message.startsWith("c3a93a"), message);
});

Deno.test("a 43-byte user fills the 128 hex characters MaxScale reads", () => {
  const user = "u".repeat(MAX_USER_BYTES);
  assert.equal(authenticationMessage(user, "secret").length, 128);
});

Deno.test("users MaxScale cannot read back are refused", () => {
  for (const user of ["", "u".repeat(MAX_USER_BYTES + 1), "é".repeat(22), "a:b"]) {
    assert.throws(() => authenticationMessage(user, "x"), CdcArgumentError, JSON.stringify(user));
  }
});
