/**
 * Whole-packet reading over a socket for the handshake and login
 * phases, where packets are small and the proxy must parse each one. The
 * command phase does not use it: there bytes stream through.
 * @module
 */

import type { StreamSocket } from "../net/stream_socket.ts";
import { PacketFramer } from "../mysql/framer.ts";
import { framePackets } from "../mysql/writer.ts";
import { deadline } from "./deadline.ts";

/** One received packet. */
export interface Packet {
  /** Sequence id of the payload's last packet: the reply uses the next one. */
  readonly sequenceId: number;
  readonly payload: Uint8Array;
}

/** The peer closed the connection or the socket failed while a packet was awaited. */
export class ConnectionClosedError extends Error {
  override name = "ConnectionClosedError";
}

/** Largest login-phase payload accepted (a HandshakeResponse is far smaller). */
const MAX_LOGIN_PAYLOAD = 1024 * 1024;

/** Packet-at-a-time reader and writer over a socket. */
export class PacketSocket {
  readonly #framer = new PacketFramer({ maxPayload: MAX_LOGIN_PAYLOAD });
  #waiter: { resolve: (p: Packet) => void; reject: (e: Error) => void } | null = null;
  #failure: Error | null = null;
  readonly #onData = (chunk: Uint8Array) => this.#received(chunk);
  readonly #onEnd = () => this.#fail(new ConnectionClosedError("Connection closed by peer"));
  readonly #onError = (error: Error) => this.#fail(error);

  constructor(readonly socket: StreamSocket) {
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("close", this.#onEnd);
    socket.on("error", this.#onError);
  }

  /** Waits for the next whole packet; rejects on close, error, malformed framing or timeout. */
  read(timeoutMs: number): Promise<Packet> {
    const ready = this.#take();
    if (ready) return Promise.resolve(ready);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timeout = deadline(timeoutMs, () => {
        this.#waiter = null;
        reject(new ConnectionClosedError(`No packet within ${timeoutMs / 1000} s`));
      });
      this.#waiter = {
        resolve: (packet) => {
          timeout.cancel();
          resolve(packet);
        },
        reject: (error) => {
          timeout.cancel();
          reject(error);
        },
      };
    });
  }

  /** True when bytes have arrived that no `read()` has asked for yet. */
  get hasUnread(): boolean {
    return this.#framer.bufferedBytes > 0;
  }

  /** Frames and writes one payload. */
  write(sequenceId: number, payload: Uint8Array): void {
    this.socket.write(framePackets(sequenceId, payload));
  }

  /** Leaves packet mode: removes the listeners and returns the unread bytes. */
  detach(): Uint8Array {
    this.socket.off("data", this.#onData);
    this.socket.off("end", this.#onEnd);
    this.socket.off("close", this.#onEnd);
    this.socket.off("error", this.#onError);
    return this.#framer.takeBuffered();
  }

  #take(): Packet | null {
    try {
      const framed = this.#framer.next();
      // Replies follow the last packet of a multi-packet payload.
      return framed && { sequenceId: framed.lastSequenceId, payload: framed.payload };
    } catch (error) {
      this.#fail(error as Error);
      return null;
    }
  }

  #received(chunk: Uint8Array): void {
    this.#framer.push(chunk);
    if (!this.#waiter) return;
    const packet = this.#take();
    if (!packet) return;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter.resolve(packet);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.reject(this.#failure);
  }
}
