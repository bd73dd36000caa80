/**
 * Reconnect policy: exponential backoff with jitter. Pure.
 * @module
 */

import { CdcArgumentError } from "./errors.ts";

/** How the client reconnects after a network or stream failure. */
export interface ReconnectOptions {
  /** Retries per outage before the error reaches the caller (default: unlimited). */
  readonly maxAttempts?: number;
  /** Delay before the first retry, in ms (default 250). */
  readonly initialDelay?: number;
  /** Upper bound of the delay, in ms (default 30000). */
  readonly maxDelay?: number;
  /** Growth factor per attempt (default 2). */
  readonly multiplier?: number;
  /** Fraction of the delay removed at random, 0 to 1 (default 0.2). */
  readonly jitter?: number;
}

/** {@link ReconnectOptions} with every default filled in. */
export type ReconnectPolicy = Required<ReconnectOptions>;

/** The defaults of {@link ReconnectOptions}. */
export const DEFAULT_RECONNECT: ReconnectPolicy = {
  maxAttempts: Infinity,
  initialDelay: 250,
  maxDelay: 30_000,
  multiplier: 2,
  jitter: 0.2,
};

function check(name: string, value: number, min: number, max = Infinity): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max) {
    throw new CdcArgumentError(
      `Cannot use reconnect option "${name}": expected a number from ${min} to ${max}, got ${
        String(value)
      }`,
    );
  }
  return value;
}

/** Validates options and fills in defaults; throws {@link CdcArgumentError}. */
export function reconnectPolicy(options: ReconnectOptions): ReconnectPolicy {
  const policy = { ...DEFAULT_RECONNECT, ...options };
  check("maxAttempts", policy.maxAttempts, 0);
  check("initialDelay", policy.initialDelay, 0);
  check("maxDelay", policy.maxDelay, policy.initialDelay);
  check("multiplier", policy.multiplier, 1);
  check("jitter", policy.jitter, 0, 1);
  return policy;
}

/** The delay before retry number `attempt` (1-based), in ms. */
export function backoffDelay(
  attempt: number,
  policy: ReconnectPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelay, policy.initialDelay * policy.multiplier ** (attempt - 1));
  return Math.round(base * (1 - policy.jitter * random()));
}
