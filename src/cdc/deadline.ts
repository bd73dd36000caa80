/**
 * Timers that bound one operation and sleeps that an `AbortSignal` cuts
 * short. Both always clear their timer, so nothing outlives its caller.
 * @module
 */

/** `setTimeout` overflows above this and fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `operation`; if it has not settled after `ms` (finite), calls
 * `onExpire` (which must make it settle, e.g. by closing the socket).
 */
export async function withDeadline<T>(
  ms: number,
  onExpire: () => void,
  operation: () => Promise<T>,
): Promise<T> {
  if (!Number.isFinite(ms)) return await operation();
  const timer = setTimeout(onExpire, Math.min(ms, MAX_TIMER_MS));
  try {
    return await operation();
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`, or rejects with `signal.reason` once it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, Math.min(ms, MAX_TIMER_MS));
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
