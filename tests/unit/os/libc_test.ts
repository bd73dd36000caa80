import assert from "node:assert/strict";
import { errno, libc, LIBC_PATH } from "../../../src/os/libc.ts";

Deno.test("libc opens the exact path the scoped --allow-ffi names", () => {
  assert.equal(LIBC_PATH, "/usr/lib/x86_64-linux-gnu/libc.so.6");
  assert.equal(typeof libc().getsockopt, "function");
  assert.equal(libc(), libc());
});

Deno.test("errno reports the failure of the preceding call", () => {
  const value = new Int32Array(1);
  const length = new Uint32Array([4]);
  assert.equal(libc().getsockopt(-1, 1, 17, value, length), -1);
  assert.equal(errno(), 9); // EBADF
});
