/**
 * The x86_64 Linux values of the libc constants the socket modules use
 * (<sys/socket.h>, <netinet/tcp.h>, <errno.h>, <fcntl.h>).
 * @module
 */

export const SOCK_STREAM = 1;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_ERROR = 4;
export const SO_ACCEPTCONN = 30;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 1;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const SHUT_WR = 1;
export const EPOLL_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;
export const CLOCK_MONOTONIC = 1;
export const TFD_NONBLOCK = 0o4000;
export const TFD_CLOEXEC = 0o2000000;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const O_NONBLOCK = 0o4000;

export const ENOENT = 2;
export const EINTR = 4;
export const EAGAIN = 11;
export const ENFILE = 23;
export const EMFILE = 24;
export const ECONNABORTED = 103;
export const EINPROGRESS = 115;

/** An `int` of 1, for boolean socket options. */
export const INT_ONE = new Uint8Array(new Int32Array([1]).buffer);
