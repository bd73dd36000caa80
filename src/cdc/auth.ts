/**
 * The CDC login message: `hex(user ‖ ":" ‖ SHA1(password))`, SHA1 being the
 * raw 20-byte digest. MaxScale's own documentation shows a wrong example; the
 * test vectors in cdc-protocol.md are checked against its source.
 * @module
 */

import { createHash } from "node:crypto";
import { CdcArgumentError, quote } from "./errors.ts";

/** MaxScale reads at most 128 hex characters: 43 user bytes + ":" + 20 digest bytes. */
export const MAX_USER_BYTES = 43;

const encoder = new TextEncoder();

function toHex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

/**
 * Builds the authentication message for `user` and `password` (UTF-8).
 * Throws {@link CdcArgumentError} for a user MaxScale cannot read back: empty,
 * longer than 43 bytes, or containing `:` (the server splits at the first one).
 */
export function authenticationMessage(user: string, password: string): string {
  const userBytes = encoder.encode(user);
  if (userBytes.length === 0) throw new CdcArgumentError("User name is empty");
  if (userBytes.length > MAX_USER_BYTES) {
    throw new CdcArgumentError(
      `User name ${quote(user)} is too long: ${userBytes.length} bytes, at most ${MAX_USER_BYTES}`,
    );
  }
  if (user.includes(":")) {
    throw new CdcArgumentError(`User name ${quote(user)} contains ":"`);
  }
  const digest = createHash("sha1").update(encoder.encode(password)).digest();
  const message = new Uint8Array(userBytes.length + 1 + digest.length);
  message.set(userBytes);
  message[userBytes.length] = 0x3a; // ":"
  message.set(digest, userBytes.length + 1);
  return toHex(message);
}
