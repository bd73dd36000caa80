/**
 * The proxy logging in to a backend: a pure state machine (no I/O). The
 * caller writes what `start()`/`onPacket()` return, with the sequence id after
 * the one it last received, and feeds every backend payload back in.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html
 * (AuthSwitchRequest, AuthMoreData), page_caching_sha2_authentication_exchanges.html;
 * myproxy-behaviour.md §2.
 * @module
 */

import { AuthPlugin, BackendHandshake, Header } from "../constants.ts";
import { MalformedPacketError, type MysqlError } from "../errors.ts";
import { backendClientFlags, buildHandshakeResponse, type ServerGreeting } from "../handshake.ts";
import { PacketReader } from "../reader.ts";
import { parseErr, parseOk } from "../response.ts";
import { CachingSha2, cachingSha2EncryptPassword, importRsaPublicKey } from "./caching_sha2.ts";
import { clearPassword } from "./clear_password.ts";
import { LoginError, pluginResponse, requireClearPassword } from "./plugin_response.ts";

export { LoginError, type LoginErrorReason } from "./plugin_response.ts";

/** How the proxy authenticates (the `handshake_response` of `client:connect`). */
export interface LoginCredentials {
  readonly user: Uint8Array;
  /** Clear-text password; `null` when unknown. Both `null`: the empty password. */
  readonly password: Uint8Array | null;
  /** SHA1(password), 20 bytes; enough for mysql_native_password only. */
  readonly passwordSha1: Uint8Array | null;
  readonly database: Uint8Array | null;
}

/** caching_sha2 RSA public keys per backend (PEM or imported), shared across logins. */
export type RsaKeyCache = Map<string, CryptoKey | string>;

/** Options of `BackendLogin`. */
export interface BackendLoginOptions {
  readonly credentials: LoginCredentials;
  /** The client's capability flags (already limited to what the proxy offered). */
  readonly clientCapabilities: number;
  /** The backend's parsed greeting. */
  readonly greeting: ServerGreeting;
  /** caching_sha2 public keys per backend, shared across logins. */
  readonly rsaKeyCache?: RsaKeyCache;
  /** This backend's key in `rsaKeyCache` (e.g. its address). */
  readonly serverKey?: string;
  /**
   * TLS or a unix socket: caching_sha2 full authentication then sends the
   * clear password, because the server treats the next packet as such.
   */
  readonly secureTransport?: boolean;
}

/** What the caller does next. */
export type LoginStep =
  /** Send `payload` with the next sequence id, then feed the reply. */
  | { readonly kind: "send"; readonly payload: Uint8Array }
  /** Nothing to send; feed the next packet (after caching_sha2 fast-auth success). */
  | { readonly kind: "wait" }
  /** Logged in; `payload` is the backend's OK. */
  | { readonly kind: "ok"; readonly payload: Uint8Array }
  /** The backend refused; `payload` is its ERR (decoded in `error`). */
  | { readonly kind: "err"; readonly error: MysqlError; readonly payload: Uint8Array };

type State =
  | "new"
  | "auth"
  | "sha2_result"
  | "sha2_public_key"
  | "sha2_password_sent"
  | "done";

/** Guards against a server that keeps switching plugins. */
const MAX_AUTH_SWITCHES = 8;
const EMPTY = new Uint8Array(0);

/** The backend login state machine; one instance per backend connection. */
export class BackendLogin {
  readonly #options: BackendLoginOptions;
  readonly #capabilities: number;
  #state: State = "new";
  #plugin: string = AuthPlugin.NATIVE_PASSWORD;
  #nonce: Uint8Array = EMPTY;
  #switches = 0;
  #usedCachedKey = false;

  /** Prepares a login; nothing happens before `start()`. */
  constructor(options: BackendLoginOptions) {
    this.#options = options;
    const db = options.credentials.database;
    this.#capabilities = backendClientFlags(
      options.clientCapabilities,
      db !== null && db.length > 0,
    );
  }

  /** Capability flags sent to the backend: decode its OK/ERR with these. */
  get capabilities(): number {
    return this.#capabilities;
  }

  /** The auth plugin currently in use. */
  get pluginName(): string {
    return this.#plugin;
  }

  /** Whether the backend answered with OK or ERR. */
  get finished(): boolean {
    return this.#state === "done";
  }

  /**
   * The HandshakeResponse41 payload, to be sent with sequence id 1. (A
   * promise, like `onPacket`, so plugins may compute asynchronously.)
   */
  start(): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.#handshakeResponse());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #handshakeResponse(): Uint8Array {
    if (this.#state !== "new") throw new LoginError("protocol", "Login already started");
    const { greeting, credentials } = this.#options;
    let authResponse: Uint8Array;
    try {
      authResponse = this.#respond(
        greeting.authPluginName ?? AuthPlugin.NATIVE_PASSWORD,
        greeting.authData,
      );
    } catch (e) {
      if (!(e instanceof LoginError)) throw e;
      // Like libmysqlclient: answer an unusable default plugin with
      // mysql_native_password; the server switches if the account needs more.
      authResponse = this.#respond(AuthPlugin.NATIVE_PASSWORD, greeting.authData);
    }
    return buildHandshakeResponse({
      capabilities: this.#capabilities,
      maxPacketSize: BackendHandshake.MAX_PACKET_SIZE,
      charset: BackendHandshake.CHARSET,
      user: credentials.user,
      authResponse,
      database: credentials.database,
      authPluginName: this.#plugin,
    });
  }

  /** Feeds one backend payload; says what to do next. */
  async onPacket(payload: Uint8Array): Promise<LoginStep> {
    if (this.#state === "new" || this.#state === "done") {
      throw new LoginError("protocol", `Unexpected packet in login state "${this.#state}"`);
    }
    if (payload.length === 0) throw new MalformedPacketError("Empty packet during login");
    switch (payload[0]) {
      case Header.OK:
        parseOk(payload, this.#capabilities);
        this.#state = "done";
        return { kind: "ok", payload };
      case Header.ERR:
        return this.#onErr(payload);
      case Header.AUTH_SWITCH:
        return this.#onAuthSwitch(payload);
      case Header.AUTH_MORE_DATA:
        return await this.#onMoreData(payload);
      default:
        throw new LoginError(
          "protocol",
          `Unexpected packet 0x${payload[0].toString(16)} during ${this.#plugin} login`,
        );
    }
  }

  #onErr(payload: Uint8Array): LoginStep {
    const error = parseErr(payload, this.#capabilities);
    const { rsaKeyCache, serverKey } = this.#options;
    if (this.#usedCachedKey && rsaKeyCache && serverKey !== undefined) {
      // The server may have a new key pair: fetch it again next time.
      rsaKeyCache.delete(serverKey);
    }
    this.#state = "done";
    return { kind: "err", error, payload };
  }

  #onAuthSwitch(payload: Uint8Array): LoginStep {
    if (payload.length === 1) {
      throw new LoginError("unsupported_plugin", 'Unsupported auth plugin "mysql_old_password"');
    }
    if (++this.#switches > MAX_AUTH_SWITCHES) {
      throw new LoginError("protocol", "Too many auth plugin switches");
    }
    const r = new PacketReader(payload, 1);
    const plugin = r.nulString();
    const data = r.rest();
    return { kind: "send", payload: this.#respond(plugin, data) };
  }

  async #onMoreData(payload: Uint8Array): Promise<LoginStep> {
    if (this.#state === "sha2_result") {
      if (payload.length !== 2) {
        throw new LoginError("protocol", "Bad caching_sha2 fast-auth result");
      }
      if (payload[1] === CachingSha2.FAST_AUTH_SUCCESS) {
        this.#state = "auth";
        return { kind: "wait" };
      }
      if (payload[1] === CachingSha2.PERFORM_FULL_AUTH) return await this.#fullAuth();
      throw new LoginError("protocol", `Bad caching_sha2 fast-auth result ${payload[1]}`);
    }
    if (this.#state === "sha2_public_key") {
      const pem = new TextDecoder().decode(payload.subarray(1));
      let key: CryptoKey;
      try {
        key = await importRsaPublicKey(pem);
      } catch (e) {
        throw new LoginError("public_key", "Invalid RSA public key from the server", { cause: e });
      }
      const { rsaKeyCache, serverKey } = this.#options;
      if (rsaKeyCache && serverKey !== undefined) rsaKeyCache.set(serverKey, key);
      return await this.#sendEncrypted(key);
    }
    throw new LoginError("protocol", `Unexpected AuthMoreData during ${this.#plugin} login`);
  }

  async #fullAuth(): Promise<LoginStep> {
    const password = requireClearPassword(this.#plugin, this.#options.credentials);
    if (this.#options.secureTransport) {
      this.#state = "sha2_password_sent";
      return { kind: "send", payload: clearPassword(password) };
    }
    const { rsaKeyCache, serverKey } = this.#options;
    const cached = serverKey === undefined ? undefined : rsaKeyCache?.get(serverKey);
    if (cached !== undefined) {
      this.#usedCachedKey = true;
      return await this.#sendEncrypted(cached);
    }
    this.#state = "sha2_public_key";
    return { kind: "send", payload: Uint8Array.of(CachingSha2.REQUEST_PUBLIC_KEY) };
  }

  async #sendEncrypted(key: CryptoKey | string): Promise<LoginStep> {
    let payload: Uint8Array;
    try {
      payload = await cachingSha2EncryptPassword(
        requireClearPassword(this.#plugin, this.#options.credentials),
        this.#nonce,
        key,
      );
    } catch (e) {
      if (e instanceof LoginError) throw e;
      throw new LoginError("public_key", "Cannot encrypt the password with the server's RSA key", {
        cause: e,
      });
    }
    this.#state = "sha2_password_sent";
    return { kind: "send", payload };
  }

  /** The auth response for `plugin` given the server's auth data; sets the state. */
  #respond(plugin: string, data: Uint8Array): Uint8Array {
    const { response, nonce } = pluginResponse(plugin, data, this.#options.credentials);
    this.#plugin = plugin;
    this.#nonce = nonce;
    this.#state = plugin === AuthPlugin.CACHING_SHA2_PASSWORD ? "sha2_result" : "auth";
    this.#usedCachedKey = false;
    return response;
  }
}
