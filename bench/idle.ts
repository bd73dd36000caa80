/**
 * Memory a proxy spends per idle client: after a warm-up round, open `count`
 * logged-in connections through it and compare its RSS before and after.
 * @module
 */

import type mysql from "mysql2/promise";
import { sampleProcess } from "./proc_stat.ts";
import { connect, type Target } from "./targets.ts";
import type { Endpoint } from "./sysbench.ts";

/** RSS of the proxy before and with the idle connections. */
export interface IdleResult {
  readonly count: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
}

/** Connections opened and closed first, so one-time costs (compiled code, first heap pages) are paid. */
export const WARM_UP = 100;

/**
 * Opens `count` idle connections through `target` (which must have a pid,
 * best a fresh process) after a warm-up round.
 */
export async function measureIdle(target: Target, count: number): Promise<IdleResult> {
  if (target.pid === undefined) throw new Error(`Target "${target.name}" has no process`);
  await closeAll(await openIdle(target.endpoint, WARM_UP));
  await settle();
  const before = await sampleProcess(target.pid);
  const connections = await openIdle(target.endpoint, count);
  try {
    await settle();
    const after = await sampleProcess(target.pid);
    return { count, rssBeforeBytes: before.rssBytes, rssAfterBytes: after.rssBytes };
  } finally {
    await closeAll(connections);
  }
}

/** Opens `count` logged-in connections to `endpoint`, each having run one query. */
export async function openIdle(endpoint: Endpoint, count: number): Promise<mysql.Connection[]> {
  const connections: mysql.Connection[] = [];
  try {
    // Batches keep the accept queue short without serialising everything.
    for (let opened = 0; opened < count; opened += 50) {
      const batch = Math.min(50, count - opened);
      const settled = await Promise.allSettled(
        Array.from({ length: batch }, () => connect(endpoint)),
      );
      for (const result of settled) {
        if (result.status === "fulfilled") connections.push(result.value);
      }
      const failure = settled.find((result) => result.status === "rejected");
      if (failure) throw failure.reason;
    }
    await Promise.all(connections.map((connection) => connection.query("SELECT 1")));
    return connections;
  } catch (error) {
    await closeAll(connections);
    throw error;
  }
}

/** Ends `connections`, ignoring failures. */
export function closeAll(connections: mysql.Connection[]): Promise<unknown> {
  return Promise.all(connections.map((connection) => connection.end().catch(() => {})));
}

/** Lets the proxy settle (freed handshake buffers, lazily grown heaps). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 500));
}
