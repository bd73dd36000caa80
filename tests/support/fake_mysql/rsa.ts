/**
 * The fake server's caching_sha2_password RSA key pair (WebCrypto), as mysqld
 * generates one at startup: RSA-OAEP with SHA-1 (`RSA_PKCS1_OAEP_PADDING`).
 * @module
 */

/** A key pair: the private half decrypts, the public half goes out as PEM. */
export interface FakeRsaKeys {
  readonly privateKey: CryptoKey;
  /** SPKI PEM, as sent after a public-key request. */
  readonly publicKeyPem: string;
}

/** Generates a 2048-bit RSA-OAEP (SHA-1) key pair. */
export async function generateRsaKeys(): Promise<FakeRsaKeys> {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSA-OAEP",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-1",
    },
    true,
    ["encrypt", "decrypt"],
  );
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  const base64 = btoa(String.fromCharCode(...spki)).replace(/.{64}/g, "$&\n").trimEnd();
  return {
    privateKey: pair.privateKey,
    publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${base64}\n-----END PUBLIC KEY-----\n`,
  };
}

/** Decrypts an RSA-OAEP ciphertext; `null` when it does not decrypt. */
export async function rsaDecrypt(
  keys: FakeRsaKeys,
  ciphertext: Uint8Array,
): Promise<Uint8Array | null> {
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "RSA-OAEP" },
      keys.privateKey,
      ciphertext.slice(),
    );
    return new Uint8Array(plain);
  } catch {
    return null;
  }
}
