/**
 * CPU time and resident memory of a process, from `/proc/PID/stat`.
 *
 * Deno 2.9 refuses reads under /proc without `--allow-all` (platform.md), so
 * this runs `cat`: a benchmark samples a handful of times, the cost is moot.
 * See proc(5) for the field numbers.
 * @module
 */

import { run } from "../tests/support/child.ts";

/** One sample of a process's counters. */
export interface ProcSample {
  /** utime + stime of all threads, in seconds (clock-tick resolution). */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

let units: Promise<{ ticksPerSecond: number; pageSize: number }> | undefined;

async function systemUnits() {
  const [ticks, page] = await Promise.all([
    run("getconf", ["CLK_TCK"]),
    run("getconf", ["PAGESIZE"]),
  ]);
  return { ticksPerSecond: Number(ticks), pageSize: Number(page) };
}

/** Parses the text of `/proc/PID/stat`. Pure. */
export function parseProcStat(
  text: string,
  ticksPerSecond: number,
  pageSize: number,
): ProcSample {
  // Field 2, the command name, may contain spaces and parentheses.
  const rest = text.slice(text.lastIndexOf(")") + 2).trim().split(" ");
  // rest[0] is field 3 (state): field N is rest[N - 3].
  const [utime, stime, rss] = [rest[14 - 3], rest[15 - 3], rest[24 - 3]].map(Number);
  if (![utime, stime, rss].every(Number.isFinite)) {
    throw new Error(`Cannot parse /proc/PID/stat: "${text.trim()}"`);
  }
  return { cpuSeconds: (utime + stime) / ticksPerSecond, rssBytes: rss * pageSize };
}

/** Samples process `pid`. */
export async function sampleProcess(pid: number): Promise<ProcSample> {
  units ??= systemUnits();
  const { ticksPerSecond, pageSize } = await units;
  return parseProcStat(await run("cat", [`/proc/${pid}/stat`]), ticksPerSecond, pageSize);
}
