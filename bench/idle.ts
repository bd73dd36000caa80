/**
 * Memory a proxy spends per idle client: open `count` logged-in connections
 * through it, compare its RSS before and after.
 * @module
 */

import type mysql from "mysql2/promise";
import { sampleProcess } from "./proc_stat.ts";
import { connect, type Target } from "./targets.ts";

/** RSS of the proxy before and with the idle connections. */
export interface IdleResult {
  readonly count: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
}

/** Opens `count` idle connections through `target` (which must have a pid). */
export async function measureIdle(target: Target, count: number): Promise<IdleResult> {
  if (target.pid === undefined) throw new Error(`Target "${target.name}" has no process`);
  const before = await sampleProcess(target.pid);
  const connections: mysql.Connection[] = [];
  try {
    // Batches keep the accept queue short without serialising everything.
    for (let opened = 0; opened < count; opened += 50) {
      const batch = Math.min(50, count - opened);
      const settled = await Promise.allSettled(
        Array.from({ length: batch }, () => connect(target.endpoint)),
      );
      for (const result of settled) {
        if (result.status === "fulfilled") connections.push(result.value);
      }
      const failure = settled.find((result) => result.status === "rejected");
      if (failure) throw failure.reason;
    }
    await Promise.all(connections.map((connection) => connection.query("SELECT 1")));
    // Let the proxy settle (freed handshake buffers, lazily grown heaps).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await sampleProcess(target.pid);
    return { count, rssBeforeBytes: before.rssBytes, rssAfterBytes: after.rssBytes };
  } finally {
    await Promise.all(connections.map((connection) => connection.end().catch(() => {})));
  }
}
