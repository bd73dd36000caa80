import assert from "node:assert/strict";
import { createHash, createPrivateKey, generateKeyPairSync, privateDecrypt } from "node:crypto";
import { constants } from "node:crypto";
import {
  nativePassword,
  nativePasswordFromSha1,
} from "../../../../src/mysql/auth/native_password.ts";
import { clearPassword } from "../../../../src/mysql/auth/clear_password.ts";
import {
  cachingSha2EncryptPassword,
  cachingSha2Scramble,
  importRsaPublicKey,
} from "../../../../src/mysql/auth/caching_sha2.ts";
import { bytes, hex, toHex } from "../_bytes.ts";

const NONCE = hex("3d4a2f7b1c6e5a0f7e1d2c3b4a596877 01020304");

function hash(algorithm: string, ...parts: Uint8Array[]): Buffer {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return h.digest();
}

function xor(a: Uint8Array, b: Uint8Array): string {
  return toHex(Uint8Array.from(a, (x, i) => x ^ b[i]));
}

const PASSWORDS = ["secret", "pässwörd", "x".repeat(100)];

for (const text of PASSWORDS) {
  const password = bytes(text);
  Deno.test(`mysql_native_password: "${text.slice(0, 12)}" matches an independent computation`, () => {
    const stage1 = hash("sha1", password);
    const expected = xor(stage1, hash("sha1", NONCE, hash("sha1", stage1)));
    assert.equal(toHex(nativePassword(password, NONCE)), expected);
    assert.equal(toHex(nativePasswordFromSha1(stage1, NONCE)), expected);
  });

  Deno.test(`caching_sha2_password: "${text.slice(0, 12)}" matches an independent computation`, () => {
    const stage1 = hash("sha256", password);
    const expected = xor(stage1, hash("sha256", hash("sha256", stage1), NONCE));
    assert.equal(toHex(cachingSha2Scramble(password, NONCE)), expected);
  });
}

Deno.test('mysql_native_password: fixed vector for password "password"', () => {
  // SHA1("password") = 5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8
  const nonce = hex("0000000000000000000000000000000000000000");
  const stage1 = hex("5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8");
  const stage2 = hash("sha1", stage1); // 2470c0c06dee42fd1618bb99005adca2ec9d1e19
  assert.equal(toHex(stage2), "2470c0c06dee42fd1618bb99005adca2ec9d1e19");
  assert.equal(
    toHex(nativePassword(bytes("password"), nonce)),
    xor(stage1, hash("sha1", nonce, stage2)),
  );
});

Deno.test("mysql_native_password: the empty password sends an empty response (original's defect)", () => {
  assert.equal(nativePassword(new Uint8Array(0), NONCE).length, 0);
  assert.equal(nativePasswordFromSha1(hash("sha1", new Uint8Array(0)), NONCE).length, 0);
});

Deno.test("mysql_native_password: wrong nonce or SHA-1 lengths are rejected", () => {
  assert.throws(() => nativePassword(bytes("pw"), NONCE.subarray(0, 8)), RangeError);
  assert.throws(() => nativePasswordFromSha1(new Uint8Array(19), NONCE), RangeError);
});

Deno.test("caching_sha2_password: the empty password sends an empty scramble", () => {
  assert.equal(cachingSha2Scramble(new Uint8Array(0), NONCE).length, 0);
});

Deno.test("mysql_clear_password: password plus NUL", () => {
  assert.equal(toHex(clearPassword(bytes("abc"))), "61626300");
  assert.equal(toHex(clearPassword(new Uint8Array(0))), "00");
});

const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const SPKI_PEM = publicKey.export({ type: "spki", format: "pem" }).toString();
const PKCS1_PEM = publicKey.export({ type: "pkcs1", format: "pem" }).toString();
const PRIVATE_PEM = privateKey.export({ type: "pkcs8", format: "pem" }).toString();

function decrypt(ciphertext: Uint8Array): Uint8Array {
  // RSA_PKCS1_OAEP_PADDING with the default OAEP hash SHA-1, as mysqld does.
  const plain = privateDecrypt(
    {
      key: createPrivateKey(PRIVATE_PEM),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: "sha1",
    },
    ciphertext,
  );
  return new Uint8Array(plain);
}

for (const [name, pem] of [["SPKI", SPKI_PEM], ["PKCS#1", PKCS1_PEM]]) {
  Deno.test(`caching_sha2_password: full auth encrypts (pw ‖ NUL) XOR nonce with a ${name} key`, async () => {
    const password = bytes("a password longer than the twenty-byte nonce");
    for (const key of [pem, await importRsaPublicKey(pem)]) {
      const encrypted = await cachingSha2EncryptPassword(password, NONCE, key);
      assert.equal(encrypted.length, 256);
      const plain = decrypt(encrypted);
      const unmasked = Uint8Array.from(plain, (b, i) => b ^ NONCE[i % NONCE.length]);
      assert.equal(toHex(unmasked), toHex(bytes(password, [0])));
    }
  });
}

Deno.test("caching_sha2_password: a non-RSA key is refused", async () => {
  const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey;
  await assert.rejects(() =>
    importRsaPublicKey(ec.export({ type: "spki", format: "pem" }).toString())
  );
  await assert.rejects(() =>
    importRsaPublicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
  );
});
