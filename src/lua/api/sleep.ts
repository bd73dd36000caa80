/**
 * `sleep(seconds)`: suspends the calling callback without blocking the
 * process (the original myproxy has it; it is also the reference async
 * host function).
 * @module
 */

import { lauxlib, type LuaState } from "../fengari.ts";
import { raise } from "../errors.ts";
import { defineAsync, type LuaRunner, type Resumer } from "../runner.ts";

const NO_RESULTS: Resumer = () => 0;

/** Longest accepted sleep: setTimeout's limit (about 24.8 days). */
const MAX_SECONDS = 2_147_483;

/** Resolves after `ms`, or rejects with the signal's reason when it aborts. */
function delay(ms: number, signal: AbortSignal): Promise<Resumer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(NO_RESULTS);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Defines the global `sleep`. */
export function openSleep(L: LuaState, runner: LuaRunner): void {
  defineAsync(L, runner, "sleep", (L) => {
    const seconds = lauxlib.luaL_checknumber(L, 1);
    if (!(seconds >= 0 && seconds <= MAX_SECONDS)) {
      raise(L, `Invalid sleep duration ${seconds}: expected 0..${MAX_SECONDS} seconds`);
    }
    return delay(seconds * 1000, runner.signal);
  });
}
