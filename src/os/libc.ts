/**
 * The one FFI binding to glibc. Every other module that needs libc asks this
 * one, so the process opens the library once and the permission can stay
 * scoped: `--allow-ffi=/usr/lib/x86_64-linux-gnu/libc.so.6` only matches when
 * `Deno.dlopen` receives exactly that string (see platform.md, "Sockets").
 *
 * Scoped FFI forbids `UnsafePointerView` and `UnsafePointer.value`, so all
 * out-parameters are typed-array `"buffer"` arguments, and errno is copied
 * out of `__errno_location()` with `memcpy` into such a buffer.
 * @module
 */

/** The exact path that is opened; the scoped `--allow-ffi` must name it. */
export const LIBC_PATH = "/usr/lib/x86_64-linux-gnu/libc.so.6";

// Sizes and results are i32 wherever the value fits: 64-bit results cost a
// BigInt-or-number conversion on every call (measured: 2.0 vs 1.4 µs per recv).
const SYMBOLS = {
  /** `int getsockopt(int fd, int level, int name, void *val, socklen_t *len)` */
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  /** `int setsockopt(int fd, int level, int name, const void *val, socklen_t len)` */
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  /** `int socket(int domain, int type, int protocol)` */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** `int socketpair(int domain, int type, int protocol, int sv[2])` */
  socketpair: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  /** `int bind(int fd, const struct sockaddr *addr, socklen_t len)` */
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** `int listen(int fd, int backlog)` */
  listen: { parameters: ["i32", "i32"], result: "i32" },
  /** `int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)` */
  accept4: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  /** `int connect(int fd, const struct sockaddr *addr, socklen_t len)` */
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** `ssize_t recv(int fd, void *buf, size_t len, int flags)`, len < 2 GiB */
  recv: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  /** `ssize_t send(int fd, const void *buf, size_t len, int flags)`, len < 2 GiB */
  send: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  /** `int shutdown(int fd, int how)` */
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  /** `int close(int fd)` */
  close: { parameters: ["i32"], result: "i32" },
  /** `int epoll_create1(int flags)` */
  epoll_create1: { parameters: ["i32"], result: "i32" },
  /** `int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)` */
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  /** `int epoll_wait(int epfd, struct epoll_event *events, int max, int timeout)` */
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  /** The same call on Deno's blocking-thread pool: waits without blocking JavaScript. */
  epoll_wait_async: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** `int fcntl(int fd, int cmd, int arg)` */
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** `int timerfd_create(int clockid, int flags)` */
  timerfd_create: { parameters: ["i32", "i32"], result: "i32" },
  /** `int timerfd_settime(int fd, int flags, const struct itimerspec *new, struct itimerspec *old)` */
  timerfd_settime: { parameters: ["i32", "i32", "buffer", "buffer"], result: "i32" },
  /** `int eventfd(unsigned int initval, int flags)` */
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  /** `ssize_t read(int fd, void *buf, size_t len)`, len < 2 GiB */
  read: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** `ssize_t write(int fd, const void *buf, size_t len)`, len < 2 GiB */
  write: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** `int *__errno_location(void)`: the calling thread's errno. */
  __errno_location: { parameters: [], result: "pointer" },
  /** Used only to copy errno into a buffer without dereferencing pointers in JS. */
  memcpy: { parameters: ["buffer", "pointer", "usize"], result: "pointer" },
} as const;

/** The symbols this binding exposes. */
export type LibcSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let library: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/**
 * Opens libc on first use and returns its symbols. Throws `NotCapable` when
 * the process lacks `--allow-ffi` for {@linkcode LIBC_PATH}.
 */
export function libc(): LibcSymbols {
  library ??= Deno.dlopen(LIBC_PATH, SYMBOLS);
  return library.symbols;
}

const errnoBuffer = new Int32Array(1);
const optionValue = new Int32Array(1);
const optionLength = new Uint32Array(1);

/**
 * An `int` socket option of `fd`, or the negated errno when `getsockopt`
 * fails (so 0 and positive values are always the option's own).
 */
export function intSocketOption(fd: number, level: number, name: number): number {
  optionLength[0] = 4;
  if (libc().getsockopt(fd, level, name, optionValue, optionLength) !== 0) return -errno();
  return optionValue[0];
}

/**
 * The current thread's errno. Call it directly after the failing libc call:
 * anything in between (even `console.log`) may overwrite it.
 */
export function errno(): number {
  const symbols = libc();
  const location = symbols.__errno_location();
  if (location === null) return 0;
  symbols.memcpy(errnoBuffer, location, 4n);
  return errnoBuffer[0];
}
