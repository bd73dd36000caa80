import assert from "node:assert/strict";
import sodium from "libsodium-wrappers";
import { ed25519PublicKey, ed25519Sign } from "../../../../src/mysql/auth/ed25519.ts";
import { bytes, hex, toHex } from "../_bytes.ts";

await sodium.ready;

// RFC 8032 §7.1, tests 1-3: for a 32-byte "password" client_ed25519 is standard Ed25519.
const RFC8032 = [
  {
    name: "test 1 (empty message)",
    secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155" +
      "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    name: "test 2 (one byte)",
    secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da" +
      "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    name: "test 3 (two bytes)",
    secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    message: "af82",
    signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac" +
      "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
];

for (const v of RFC8032) {
  Deno.test(`client_ed25519: RFC 8032 ${v.name}`, () => {
    assert.equal(toHex(ed25519PublicKey(hex(v.secret))), v.publicKey);
    assert.equal(toHex(ed25519Sign(hex(v.secret), hex(v.message))), v.signature);
  });
}

Deno.test("client_ed25519: equals libsodium's Ed25519 for random 32-byte seeds", () => {
  for (let i = 0; i < 8; i++) {
    const seed = sodium.randombytes_buf(32);
    const nonce = sodium.randombytes_buf(32);
    const keys = sodium.crypto_sign_seed_keypair(seed);
    assert.equal(toHex(ed25519PublicKey(seed)), toHex(keys.publicKey));
    assert.equal(
      toHex(ed25519Sign(seed, nonce)),
      toHex(sodium.crypto_sign_detached(nonce, keys.privateKey)),
    );
  }
});

for (
  const password of [
    "",
    "secret",
    "a much longer password than thirty-two bytes, as MariaDB allows",
  ]
) {
  Deno.test(`client_ed25519: libsodium verifies the signature for password "${password.slice(0, 10)}"`, () => {
    const nonce = sodium.randombytes_buf(32);
    const publicKey = ed25519PublicKey(bytes(password));
    const signature = ed25519Sign(bytes(password), nonce);
    assert.equal(signature.length, 64);
    assert.ok(sodium.crypto_sign_verify_detached(signature, nonce, publicKey));
    const other = nonce.slice();
    other[0] ^= 1;
    assert.ok(!sodium.crypto_sign_verify_detached(signature, other, publicKey));
  });
}
