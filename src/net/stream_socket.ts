/**
 * What the proxy needs from a connected socket: `node:net.Socket`'s events
 * ('data', 'end', 'error', 'close', 'drain') and these methods, with node's
 * meaning, except that a 'data' chunk is valid only during the listener call
 * (it is a view of a reused receive buffer): copy what you keep.
 * `FdSocket` (src/os/fd_socket.ts) is the implementation.
 * @module
 */

import type { EventEmitter } from "node:events";
import type { SocketReceiver } from "../os/fd_socket.ts";

export type { SocketReceiver };

/** A connected byte stream; see the module documentation. */
export interface StreamSocket extends EventEmitter {
  /**
   * Sends or queues the first `length` (default: all) bytes of `bytes`;
   * false while data is queued (wait for 'drain').
   */
  write(bytes: Uint8Array, length?: number): boolean;
  /** Sends `bytes` if given, then shuts down the sending side. */
  end(bytes?: Uint8Array): this;
  /** Closes at once, dropping queued data. */
  destroy(error?: Error): this;
  /**
   * Set by a consumer whose 'data' and 'drain' listeners stay synchronous:
   * the poller may then skip a turn of Deno's event loop (src/os/poller.ts).
   */
  quiet?: boolean;
  /**
   * When set, takes what 'data' listeners would get, as (buffer, length)
   * without a view per chunk or an event dispatch (the command phase's
   * path); 'data' listeners then get nothing.
   */
  receiver?: SocketReceiver | null;
  /** True once the socket is closed. */
  readonly destroyed: boolean;
  /** Stops 'data' events until resume(). */
  pause(): this;
  resume(): this;
}
