/**
 * The narrow interface between the proxy core (mechanism) and whatever decides
 * what a connection may do (policy: the Lua handler table). The core never
 * knows about Fengari; the Lua layer never touches sockets or packets.
 *
 * Byte strings that come from the wire or from Lua stay `Uint8Array`, because
 * MySQL user names, passwords and Lua strings are bytes, not text.
 * @module
 */

import type { SocketAddress } from "../net/address.ts";

/** Credentials of a unix-socket peer (SO_PEERCRED at accept time). */
export interface PeerCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/** One client connection as the policy sees it. The proxy owns it. */
export interface ClientSession {
  /** Connection id; also sent in the greeting. */
  readonly id: number;
  /** SO_PEERCRED of a unix-socket client; `null` on TCP. */
  readonly peer: PeerCredentials | null;
  /** Account identifier for logs, cluster hashing and DISCONNECT_DATABASE. */
  account: Uint8Array | null;
  /** Version announced in the greeting; the backend's after login. */
  serverVersion: string;
  /** True once the connection is gone: policy objects must become stale. */
  readonly closed: boolean;
  /** `pid=X uid=Y account="a"`: prefix for every log line of this client. */
  readonly logPrefix: string;
}

/** The client's HandshakeResponse, reduced to what the policy may see. */
export interface HandshakeInfo {
  readonly user: Uint8Array;
  /** The clear-text password (cleartext plugin; NUL stripped); empty if none. */
  readonly password: Uint8Array;
  /** `null` when the client sent none or an empty one. */
  readonly database: Uint8Array | null;
}

/** How the proxy logs in to the backend on the client's behalf. */
export interface BackendCredentials {
  readonly user: Uint8Array;
  /** Clear-text password, or `null` when only `passwordSha1` is known. */
  readonly password: Uint8Array | null;
  /** SHA1(password), exactly 20 raw bytes, usable by mysql_native_password. */
  readonly passwordSha1: Uint8Array | null;
  readonly database: Uint8Array | null;
}

/** Something that picks a backend address per connection (e.g. a cluster). */
export interface BackendChooser {
  /** Label for logs. */
  readonly description: string;
  choose(session: ClientSession, readOnly: boolean): Promise<SocketAddress>;
}

/** A backend: a fixed address or a chooser. */
export type BackendTarget = SocketAddress | BackendChooser;

/** What a policy callback tells the proxy to do. */
export type Verdict =
  /** Go on (on_connect returned nothing). */
  | { readonly kind: "accept" }
  /** Refuse with an ERR carrying this message. */
  | { readonly kind: "err"; readonly message: Uint8Array }
  /** Log in to the backend and proxy the session. */
  | {
    readonly kind: "connect";
    readonly target: BackendTarget;
    readonly credentials: BackendCredentials;
    readonly readOnly: boolean;
  }
  /** Forward COM_INIT_DB with this database name. */
  | { readonly kind: "init_db"; readonly database: Uint8Array };

/**
 * A policy failure (Lua error, invalid return value): the client gets
 * ERR "Lua error"; the real message goes to the log only.
 */
export class PolicyError extends Error {
  override name = "PolicyError";
}

/** The callbacks of one listener's handler table. */
export interface SessionPolicy {
  /** Runs before the greeting; may only `accept` or `err`. */
  onConnect(session: ClientSession): Promise<Verdict>;
  /** Decides a login; `connect` or `err`. */
  onHandshakeResponse(session: ClientSession, handshake: HandshakeInfo): Promise<Verdict>;
  /** Runs once after a successful login. */
  onCommandPhase(session: ClientSession): Promise<void>;
  /** Whether `onInitDb` should be consulted for COM_INIT_DB. */
  readonly handlesInitDb: boolean;
  /** Decides a COM_INIT_DB; `init_db` or `err`. */
  onInitDb(session: ClientSession, database: Uint8Array): Promise<Verdict>;
  /** The connection is gone; release its policy state (Lua object goes stale). */
  release(session: ClientSession): void;
}
