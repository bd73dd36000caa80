/**
 * Listening and connecting through libc, for sockets the {@linkcode Poller}
 * owns. Deno checks its permissions only on its own socket APIs, so these
 * functions ask `Deno.permissions` first and refuse with the same
 * `NotCapable` error Deno would raise: the configuration gets no way around
 * the permission set (`--allow-net=host:port` for TCP, `--allow-read` and
 * `--allow-write` of the path for unix sockets; abstract names are not
 * files and need none, as with `node:net`).
 * @module
 */

import { formatAddress, type SocketAddress } from "../net/address.ts";
import { errno, intSocketOption, libc } from "./libc.ts";
import { FdSocket, SystemError } from "./fd_socket.ts";
import { EPOLLIN, thePoller } from "./poller.ts";
import { AF_UNIX, encodeSockaddr, familyOf } from "./sockaddr.ts";
import {
  EAGAIN,
  ECONNABORTED,
  EINPROGRESS,
  EINTR,
  EMFILE,
  ENFILE,
  F_GETFL,
  F_SETFL,
  INT_ONE,
  IPPROTO_TCP,
  O_NONBLOCK,
  SO_ACCEPTCONN,
  SO_REUSEADDR,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from "./constants.ts";

const BACKLOG = 4096;

function require(descriptor: Deno.PermissionDescriptor, kind: string, target: string): void {
  if (Deno.permissions.querySync(descriptor).state !== "granted") {
    throw new Deno.errors.NotCapable(
      `Requires ${kind} access to "${target}", run again with the --allow-${kind} flag`,
    );
  }
}

/** Throws Deno's `NotCapable` unless the permission set lets us use `address`. */
export function checkSocketPermission(address: SocketAddress): void {
  switch (address.family) {
    case "inet":
    case "inet6": {
      const host = formatAddress(address);
      require({ name: "net", host }, "net", host);
      return;
    }
    case "unix":
      // Write first: it is the narrower grant in the start task.
      require({ name: "write", path: address.path }, "write", address.path);
      require({ name: "read", path: address.path }, "read", address.path);
      return;
    case "abstract":
      return;
  }
}

function isTcp(address: SocketAddress): boolean {
  return address.family === "inet" || address.family === "inet6";
}

function openSocket(address: SocketAddress): number {
  const fd = libc().socket(familyOf(address), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new SystemError("socket", errno(), formatAddress(address));
  return fd;
}

/** Starts connecting to `address`; the socket emits 'connect' or 'error'. */
export function connectFdSocket(address: SocketAddress): FdSocket {
  checkSocketPermission(address);
  const where = formatAddress(address);
  const sockaddr = encodeSockaddr(address);
  const fd = openSocket(address);
  if (isTcp(address)) libc().setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, INT_ONE, 4);
  let code = 0;
  if (libc().connect(fd, sockaddr, sockaddr.length) !== 0) code = errno();
  if (code !== 0 && code !== EINPROGRESS) {
    libc().close(fd);
    throw new SystemError("connect", code, where);
  }
  return new FdSocket(fd, { connecting: true, where });
}

/** Called with each accepted connection's socket. */
export type FdAcceptHandler = (socket: FdSocket) => void;

/** A listening socket in the poller. */
export class FdListener {
  #closed = false;
  readonly #handler = { onPoll: () => this.#accept() };

  /** Adopts the listening descriptor `fd` (closed by {@linkcode close}). */
  constructor(
    readonly fd: number,
    readonly description: string,
    private readonly onAccept: FdAcceptHandler,
    private readonly tcp: boolean,
    private readonly onError: (error: Error) => void,
  ) {
    thePoller().add(fd, EPOLLIN, this.#handler);
  }

  #accept(): void {
    const c = libc();
    // Up to 64 per readiness so one busy listener cannot starve the rest.
    for (let i = 0; i < 64 && !this.#closed; i++) {
      const fd = c.accept4(this.fd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        const code = errno();
        if (code === EAGAIN) return;
        if (code === EINTR || code === ECONNABORTED) continue;
        this.onError(new SystemError("accept", code, this.description));
        // Out of descriptors, or an error that would repeat: the listener is
        // level-triggered, so stop watching it for a while instead of spinning.
        this.#pauseFor(code === EMFILE || code === ENFILE ? 100 : 1000);
        return;
      }
      if (this.tcp) c.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, INT_ONE, 4);
      let socket: FdSocket;
      try {
        socket = new FdSocket(fd, { where: this.description });
      } catch (error) {
        this.onError(error as Error); // the descriptor is closed already
        return;
      }
      this.onAccept(socket);
    }
  }

  #pauseFor(ms: number): void {
    thePoller().modify(this.fd, 0);
    setTimeout(() => {
      if (!this.#closed) thePoller().modify(this.fd, EPOLLIN);
    }, ms);
  }

  /** Stops accepting and closes the descriptor. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    thePoller().remove(this.fd);
    libc().close(this.fd);
  }
}

/**
 * Binds and listens on `address` (TCP: SO_REUSEADDR, like node and MySQL).
 * Returns the listening descriptor.
 */
export function listenFd(address: SocketAddress): number {
  checkSocketPermission(address);
  const where = formatAddress(address);
  const sockaddr = encodeSockaddr(address);
  const fd = openSocket(address);
  const c = libc();
  if (isTcp(address)) c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, INT_ONE, 4);
  if (c.bind(fd, sockaddr, sockaddr.length) !== 0) {
    const code = errno();
    c.close(fd);
    throw new SystemError("bind", code, where);
  }
  if (c.listen(fd, BACKLOG) !== 0) {
    const code = errno();
    c.close(fd);
    throw new SystemError("listen", code, where);
  }
  return fd;
}

/** Makes an inherited descriptor non-blocking (systemd passes blocking ones). */
export function setNonBlocking(fd: number): void {
  const flags = libc().fcntl(fd, F_GETFL, 0);
  if (flags < 0 || libc().fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    throw new SystemError("fcntl", errno(), `fd ${fd}`);
  }
}

/** True when `fd` is a listening socket (SO_ACCEPTCONN). */
export function isListeningFd(fd: number): boolean {
  return intSocketOption(fd, SOL_SOCKET, SO_ACCEPTCONN) === 1;
}

/** True when `fd` is a TCP socket (for inherited systemd sockets). */
export function isTcpFd(fd: number): boolean {
  return intSocketOption(fd, IPPROTO_TCP, TCP_NODELAY) >= 0;
}

/**
 * A connected pair of non-blocking unix stream sockets (descriptors), for
 * in-process plumbing and benchmarks; they need no permission.
 */
export function socketPair(): [number, number] {
  const fds = new Int32Array(2);
  const type = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC;
  if (libc().socketpair(AF_UNIX, type, 0, fds) !== 0) {
    throw new SystemError("socketpair", errno());
  }
  return [fds[0], fds[1]];
}
