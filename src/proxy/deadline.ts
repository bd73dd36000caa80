/**
 * Coarse timeouts for the login phase and for closing connections. One
 * shared timer checks every pending deadline each {@linkcode TICK_MS} while
 * any is pending, so arming and cancelling a deadline costs a set insertion
 * and removal. A timer per deadline (Deno's node-compatible `setTimeout`)
 * allocated about 4 KB per connection and showed as 3 % of a connect's CPU
 * (a login arms five of them and cancels nearly all).
 *
 * A deadline fires between `ms` and `ms` + {@linkcode TICK_MS} after it was
 * armed, which suits timeouts of seconds.
 * @module
 */

/** How often pending deadlines are checked (ms). */
export const TICK_MS = 100;

/** A pending deadline. */
export interface Deadline {
  /** Makes sure the callback will not run (no-op once it has). */
  cancel(): void;
}

class Entry implements Deadline {
  constructor(readonly due: number, readonly onExpire: () => void) {}

  cancel(): void {
    pending.delete(this);
    if (pending.size === 0) stopTicking();
  }
}

const pending = new Set<Entry>();
let ticker: ReturnType<typeof setInterval> | undefined;

function stopTicking(): void {
  if (ticker === undefined) return;
  clearInterval(ticker);
  ticker = undefined;
}

function check(): void {
  const now = performance.now();
  for (const entry of pending) {
    if (entry.due > now) continue;
    pending.delete(entry);
    try {
      entry.onExpire();
    } catch (error) {
      // The callbacks are the proxy's own (reject a read, destroy a socket).
      console.error("A deadline callback failed:", error);
    }
  }
  if (pending.size === 0) stopTicking();
}

/** Calls `onExpire` once, about `ms` from now, unless cancelled first. */
export function deadline(ms: number, onExpire: () => void): Deadline {
  const entry = new Entry(performance.now() + ms, onExpire);
  pending.add(entry);
  if (ticker === undefined) {
    const interval = setInterval(check, TICK_MS);
    // Deadlines never keep the process alive: the sockets they guard do.
    Deno.unrefTimer(interval);
    ticker = interval;
  }
  return entry;
}

/** Deadlines armed and not yet fired or cancelled, and whether the shared timer runs (for tests). */
export function deadlineState(): { pending: number; ticking: boolean } {
  return { pending: pending.size, ticking: ticker !== undefined };
}
