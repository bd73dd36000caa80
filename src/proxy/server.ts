/**
 * The set of live client connections: accepts sockets from listeners, hands
 * each a connection id and its listener's policy, and closes them all at
 * shutdown.
 * @module
 */

import type { StreamSocket } from "../net/stream_socket.ts";
import type { RsaKeyCache } from "../mysql/auth/login.ts";
import { ClientConnection, type ProxyContext } from "./client_connection.ts";
import type { PeerCredentials, SessionPolicy } from "./policy.ts";

/** Hooks the process wires in (metrics, logging of totals). */
export interface ProxyServerOptions {
  /** Called when a Lua callback failed. */
  onLuaError?: () => void;
}

/** Owns every client connection of the process. */
export class ProxyServer {
  readonly #connections = new Set<ClientConnection>();
  #nextId = 1;
  readonly #context: ProxyContext;

  constructor(options: ProxyServerOptions = {}) {
    const rsaKeyCache: RsaKeyCache = new Map();
    this.#context = { rsaKeyCache, luaError: () => options.onLuaError?.() };
  }

  /** Returns an accept handler that runs connections with `policy`. */
  acceptor(policy: SessionPolicy): (socket: StreamSocket, peer: PeerCredentials | null) => void {
    return (socket, peer) => {
      const id = this.#nextId;
      this.#nextId = this.#nextId >= 0xffffffff ? 1 : this.#nextId + 1;
      const connection = new ClientConnection(id, peer, socket, policy, this.#context);
      this.#connections.add(connection);
      connection.run().finally(() => this.#connections.delete(connection));
    };
  }

  /** Closes every connection. */
  closeAll(): void {
    for (const connection of this.#connections) connection.close();
  }
}
