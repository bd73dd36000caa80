/**
 * The first answer of each supported auth plugin to the server's auth data,
 * and the error for logins that cannot go on on the proxy's side.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods.html;
 * myproxy-behaviour.md §2.
 * @module
 */

import { AuthPlugin, NONCE_LENGTH } from "../constants.ts";
import { cachingSha2Scramble } from "./caching_sha2.ts";
import { clearPassword } from "./clear_password.ts";
import { ED25519_NONCE_LENGTH, ed25519Sign } from "./ed25519.ts";
import { nativePassword, nativePasswordFromSha1 } from "./native_password.ts";

/** Why a login could not continue on the proxy's side. */
export type LoginErrorReason =
  | "unsupported_plugin"
  | "password_required"
  | "bad_auth_data"
  | "public_key"
  | "protocol";

/** A login that cannot go on for a reason other than an ERR from the backend. */
export class LoginError extends Error {
  override name = "LoginError";
  readonly reason: LoginErrorReason;

  constructor(reason: LoginErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** The secret a plugin may use: both `null` means the empty password. */
export interface PluginSecrets {
  readonly password: Uint8Array | null;
  /** SHA1(password): enough for mysql_native_password only. */
  readonly passwordSha1: Uint8Array | null;
}

/** A plugin's answer. */
export interface PluginResponse {
  readonly response: Uint8Array;
  /** The nonce the answer used (caching_sha2 full auth needs it again). */
  readonly nonce: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/**
 * The clear-text password (empty when none is configured); a `LoginError`
 * "password_required" when only its SHA-1 is known.
 */
export function requireClearPassword(plugin: string, secrets: PluginSecrets): Uint8Array {
  if (secrets.password !== null) return secrets.password;
  if (secrets.passwordSha1 !== null) {
    throw new LoginError(
      "password_required",
      `Auth plugin "${plugin}" needs the clear-text password, but only password_sha1 is set`,
    );
  }
  return EMPTY;
}

/**
 * The 20-byte nonce of native/caching_sha2 auth data, which servers send
 * NUL-terminated in AuthSwitchRequest (and without the NUL in greetings).
 */
function scrambleNonce(plugin: string, data: Uint8Array): Uint8Array {
  const nonce = data.length === NONCE_LENGTH + 1 && data[NONCE_LENGTH] === 0
    ? data.subarray(0, NONCE_LENGTH)
    : data;
  if (nonce.length !== NONCE_LENGTH) {
    throw new LoginError(
      "bad_auth_data",
      `${plugin} needs a ${NONCE_LENGTH}-byte nonce, got ${data.length} bytes`,
    );
  }
  return nonce.slice();
}

/**
 * The auth response of `plugin` to the server's auth `data` (greeting nonce
 * or AuthSwitchRequest data). Unknown plugins, unusable data and missing
 * clear-text passwords throw `LoginError`.
 */
export function pluginResponse(
  plugin: string,
  data: Uint8Array,
  secrets: PluginSecrets,
): PluginResponse {
  switch (plugin) {
    case AuthPlugin.NATIVE_PASSWORD: {
      const nonce = scrambleNonce(plugin, data);
      if (secrets.password !== null) {
        return { response: nativePassword(secrets.password, nonce), nonce };
      }
      if (secrets.passwordSha1 !== null) {
        return { response: nativePasswordFromSha1(secrets.passwordSha1, nonce), nonce };
      }
      return { response: EMPTY, nonce };
    }
    case AuthPlugin.CACHING_SHA2_PASSWORD: {
      const nonce = scrambleNonce(plugin, data);
      const response = cachingSha2Scramble(requireClearPassword(plugin, secrets), nonce);
      return { response, nonce };
    }
    case AuthPlugin.CLEAR_PASSWORD:
      return { response: clearPassword(requireClearPassword(plugin, secrets)), nonce: EMPTY };
    case AuthPlugin.ED25519: {
      if (data.length !== ED25519_NONCE_LENGTH) {
        throw new LoginError(
          "bad_auth_data",
          `client_ed25519 needs a ${ED25519_NONCE_LENGTH}-byte nonce, got ${data.length}`,
        );
      }
      const nonce = data.slice();
      return { response: ed25519Sign(requireClearPassword(plugin, secrets), nonce), nonce };
    }
    default:
      throw new LoginError("unsupported_plugin", `Unsupported auth plugin "${plugin}"`);
  }
}
