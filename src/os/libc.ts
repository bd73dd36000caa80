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

const SYMBOLS = {
  /** `int getsockopt(int fd, int level, int name, void *val, socklen_t *len)` */
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
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
