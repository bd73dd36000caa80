/**
 * Credentials of the process at the other end of a unix socket, via
 * `getsockopt(SO_PEERCRED)` on the descriptor the proxy's own listener
 * accepted (src/os/sockets.ts).
 *
 * See unix(7), SO_PEERCRED, and socket(7) for SOL_SOCKET.
 * @module
 */

import { errno, libc } from "./libc.ts";

/** `<asm-generic/socket.h>` values for x86_64 Linux. */
const SOL_SOCKET = 1;
const SO_PEERCRED = 17;
/** `(uid_t)-1`: the kernel reports this when the socket carries no credentials. */
const NO_ID = 0xffffffff;

/** The peer's `struct ucred` as seen in this process's namespaces. */
export interface PeerCredentials {
  /** 0 when the peer lives outside this PID namespace. */
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/** A `getsockopt` failure other than "not a socket with credentials". */
export class PeerCredentialsError extends Error {
  override name = "PeerCredentialsError";
  constructor(readonly errno: number) {
    super(`Cannot read SO_PEERCRED: errno ${errno}`);
  }
}

// Reused for every call: getsockopt runs synchronously on this thread.
const ucred = new Int32Array(3);
const ucredLength = new Uint32Array(1);

const ENOTSOCK = 88;
const EBADF = 9;

/**
 * Reads SO_PEERCRED of `fd`. Returns null when the socket has no peer
 * credentials (TCP, or a closed/foreign descriptor: EBADF, ENOTSOCK).
 * Throws {@linkcode PeerCredentialsError} for any other errno.
 */
export function peerCredentialsOfFd(fd: number): PeerCredentials | null {
  ucredLength[0] = ucred.byteLength;
  if (libc().getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ucred, ucredLength) !== 0) {
    const code = errno();
    if (code === EBADF || code === ENOTSOCK) return null;
    throw new PeerCredentialsError(code);
  }
  const uid = ucred[1] >>> 0;
  const gid = ucred[2] >>> 0;
  if (uid === NO_ID && gid === NO_ID) return null;
  return { pid: ucred[0], uid, gid };
}
