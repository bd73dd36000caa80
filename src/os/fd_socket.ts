/**
 * A connected stream socket owned by the process's {@linkcode Poller}: the
 * part of `node:net.Socket`'s interface the proxy uses, with the same events
 * and the same meaning.
 *
 * - `'data'` (Uint8Array, valid only during the call: copy what you keep),
 *   `'end'` when the peer shut down its side (then the socket ends its own
 *   side and closes, like `allowHalfOpen: false`), `'error'` (Error with
 *   `code`), `'close'` exactly once, `'drain'` after a `write()` that
 *   returned false, and `'connect'` for sockets created by
 *   {@linkcode connectFdSocket}.
 * - `write()` sends at once when it can and queues the rest; it returns false
 *   while anything is queued, which is the caller's cue to stop producing.
 * - `pause()`/`resume()` stop and restart reading (and so the peer, through
 *   TCP flow control).
 * - `quiet`: a consumer whose 'data' and 'drain' listeners only call other
 *   sockets synchronously (no promises, no timers) sets it, which lets the
 *   poller skip a turn of Deno's event loop after the batch (poller.ts).
 *   'end', 'error' and 'close' always get their turn.
 * @module
 */

import { EventEmitter } from "node:events";
import { errno, intSocketOption, libc } from "./libc.ts";
import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, type PollHandler, thePoller } from "./poller.ts";
import {
  EAGAIN,
  EINTR,
  MSG_DONTWAIT,
  MSG_NOSIGNAL,
  SHUT_WR,
  SO_ERROR,
  SOL_SOCKET,
} from "./constants.ts";

const SEND_FLAGS = MSG_DONTWAIT | MSG_NOSIGNAL;

/** Node-style names for the errno values a socket reports. */
const ERRNO_NAMES: Record<number, [string, string]> = {
  1: ["EPERM", "Operation not permitted"],
  2: ["ENOENT", "No such file or directory"],
  11: ["EAGAIN", "Resource temporarily unavailable"],
  13: ["EACCES", "Permission denied"],
  32: ["EPIPE", "Broken pipe"],
  98: ["EADDRINUSE", "Address already in use"],
  99: ["EADDRNOTAVAIL", "Cannot assign requested address"],
  101: ["ENETUNREACH", "Network is unreachable"],
  104: ["ECONNRESET", "Connection reset by peer"],
  110: ["ETIMEDOUT", "Connection timed out"],
  111: ["ECONNREFUSED", "Connection refused"],
  113: ["EHOSTUNREACH", "No route to host"],
};

/** An operating-system error with node's `code`/`errno`/`syscall` fields. */
export class SystemError extends Error {
  override name = "SystemError";
  readonly code: string;
  constructor(readonly syscall: string, readonly errno: number, where?: string) {
    const [code, text] = ERRNO_NAMES[errno] ?? [`E${errno}`, `errno ${errno}`];
    super(`${syscall} ${code}${where ? ` ${where}` : ""}: ${text}`);
    this.code = code;
  }
}

/**
 * Every socket receives into this one buffer: a 'data' chunk is a view of it,
 * valid only during the listener call (the next receive overwrites it), so a
 * listener copies what it keeps. Receiving then costs no allocation beyond
 * the view, and memory does not grow with traffic.
 */
const MAX_RECEIVE = 64 * 1024;
const receiveBuffer = new Uint8Array(MAX_RECEIVE);

/**
 * Takes a socket's incoming bytes in place of its 'data' listeners: the first
 * `length` bytes of `buffer`, valid only during the call. A method on an
 * object rather than a closure, so the poller's hot path stays monomorphic.
 */
export interface SocketReceiver {
  received(buffer: Uint8Array, length: number): void;
}

/** A connected socket; see the module documentation. */
export class FdSocket extends EventEmitter implements PollHandler {
  #fd: number;
  #interest = 0;
  #paused = false;
  #queue: Uint8Array[] = [];
  #needDrain = false;
  #ending = false;
  #peerEnded = false;
  #connecting: boolean;
  #closed = false;

  /**
   * Adopts a connected (or, with `connecting`, connecting) non-blocking
   * socket descriptor; the socket closes it.
   */
  constructor(fd: number, options: { connecting?: boolean; where?: string } = {}) {
    super();
    this.#fd = fd;
    this.#connecting = options.connecting ?? false;
    this.where = options.where;
    this.#interest = this.#connecting ? EPOLLOUT : EPOLLIN;
    try {
      thePoller().add(fd, this.#interest, this);
    } catch (error) {
      libc().close(fd); // the socket owns the descriptor from the start
      throw error;
    }
  }

  /** See the module documentation; false unless a consumer sets it. */
  quiet = false;

  /** When set, receives what 'data' listeners would (without event dispatch). */
  receiver: SocketReceiver | null = null;

  /** For error messages: the address this socket was connected to. */
  readonly where: string | undefined;

  /** The descriptor, or -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /** True once the socket is closed. */
  get destroyed(): boolean {
    return this.#closed;
  }

  /**
   * Sends the first `length` bytes of `bytes` (copied if they must wait);
   * false while data is queued.
   */
  write(bytes: Uint8Array, length = bytes.length): boolean {
    // `send` would read past the array: never let a bad length leak memory to a peer.
    if (!(length >= 0 && length <= bytes.length)) {
      throw new RangeError(`write: length ${length} outside 0..${bytes.length}`);
    }
    if (this.#closed || this.#ending) return false;
    if (length === 0) return this.#queue.length === 0;
    let sent = 0;
    if (this.#queue.length === 0 && !this.#connecting) {
      sent = this.#send(bytes, length);
      if (sent < 0) return false;
      if (sent === length) return true;
    }
    this.#queue.push(bytes.slice(sent, length));
    this.#needDrain = true;
    this.#watch();
    return false;
  }

  /** Sends `bytes` if given, then shuts down the sending side once all is sent. */
  end(bytes?: Uint8Array): this {
    if (this.#closed || this.#ending) return this;
    if (bytes) this.write(bytes);
    this.#ending = true;
    if (this.#queue.length === 0 && !this.#connecting) this.#finishSending();
    return this;
  }

  /** Closes the descriptor now, dropping queued data; emits 'close' once. */
  destroy(error?: Error): this {
    if (this.#closed) return this;
    this.#closed = true;
    thePoller().remove(this.#fd);
    libc().close(this.#fd);
    this.#fd = -1;
    this.#queue = [];
    thePoller().requestTurn();
    queueMicrotask(() => {
      if (error) this.emit("error", error);
      this.emit("close", error !== undefined);
    });
    return this;
  }

  /** Stops reading until {@linkcode resume}. */
  pause(): this {
    this.#paused = true;
    this.#watch();
    return this;
  }

  /** Restarts reading. */
  resume(): this {
    this.#paused = false;
    this.#watch();
    return this;
  }

  /** Returns the bytes sent, or -1 after destroying the socket on an error. */
  #send(bytes: Uint8Array, length: number): number {
    for (;;) {
      const sent = libc().send(this.#fd, bytes, length, SEND_FLAGS);
      if (sent >= 0) return sent;
      const code = errno();
      if (code === EAGAIN) return 0;
      if (code === EINTR) continue;
      this.destroy(new SystemError("write", code, this.where));
      return -1;
    }
  }

  #watch(): void {
    if (this.#closed) return;
    let wanted = 0;
    if (this.#connecting || this.#queue.length > 0) wanted |= EPOLLOUT;
    if (!this.#connecting && !this.#paused && !this.#peerEnded) wanted |= EPOLLIN;
    if (wanted !== this.#interest) {
      this.#interest = wanted;
      thePoller().modify(this.#fd, wanted);
    }
  }

  /** For the poller: `events` happened on the descriptor. */
  onPoll(events: number): void {
    this.#handle(events);
    // Checked afterwards: a listener may have cleared it while handling.
    if (!this.quiet) thePoller().requestTurn();
  }

  #handle(events: number): void {
    if (this.#connecting) {
      if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) this.#onConnected();
      return;
    }
    if (events & EPOLLERR) {
      this.#failFromSocketError("read");
      return;
    }
    // The kernel reports a hang-up whatever the interest: read it even while
    // paused, or the level-triggered event would repeat for ever.
    if ((events & EPOLLIN && this.#interest & EPOLLIN) || events & EPOLLHUP) this.#receive();
    if (!this.#closed && events & (EPOLLOUT | EPOLLHUP) && this.#queue.length > 0) {
      this.#flush();
    }
  }

  /** The pending SO_ERROR of the socket (0 for none). */
  #socketError(): number {
    return Math.abs(intSocketOption(this.#fd, SOL_SOCKET, SO_ERROR));
  }

  #failFromSocketError(syscall: string): void {
    const code = this.#socketError();
    if (code === 0) this.#receive(); // nothing pending after all: let recv tell
    else this.destroy(new SystemError(syscall, code, this.where));
  }

  #onConnected(): void {
    const code = this.#socketError();
    if (code !== 0) {
      this.destroy(new SystemError("connect", code, this.where));
      return;
    }
    this.#connecting = false;
    this.#watch();
    this.emit("connect");
    if (this.#queue.length > 0) this.#flush();
    else if (this.#ending) this.#finishSending();
  }

  #receive(): void {
    const received = libc().recv(this.#fd, receiveBuffer, MAX_RECEIVE, MSG_DONTWAIT);
    if (received > 0) {
      if (this.receiver !== null) this.receiver.received(receiveBuffer, received);
      else this.emit("data", receiveBuffer.subarray(0, received));
    } else {
      this.#receiveFailed(received);
    }
  }

  /** `recv` returned 0 (the peer's end) or -1 (see errno). */
  #receiveFailed(received: number): void {
    if (received === 0) {
      // Defensive: a repeated end-of-file (a hang-up reported again) ends nothing new.
      if (this.#peerEnded) return;
      thePoller().requestTurn();
      this.#peerEnded = true;
      this.#watch();
      try {
        this.emit("end");
      } finally {
        // Like node's allowHalfOpen: false, answer the peer's end with ours,
        // even if a listener threw (a hang-up would otherwise repeat for ever).
        if (!this.#closed) {
          if (this.#ending && this.#queue.length === 0) this.destroy();
          else this.end();
        }
      }
      return;
    }
    const code = errno();
    if (code === EAGAIN || code === EINTR) return;
    this.destroy(new SystemError("read", code, this.where));
  }

  #flush(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      const sent = this.#send(head, head.length);
      if (sent < 0) return;
      if (sent < head.length) {
        this.#queue[0] = head.subarray(sent);
        return;
      }
      this.#queue.shift();
    }
    this.#watch();
    if (this.#ending) this.#finishSending();
    if (this.#needDrain && !this.#closed) {
      this.#needDrain = false;
      this.emit("drain");
    }
  }

  #finishSending(): void {
    if (this.#closed) return;
    libc().shutdown(this.#fd, SHUT_WR);
    if (this.#peerEnded) this.destroy();
  }
}
