/**
 * Markdown tables for the benchmark results. Ratios compare each target with
 * "direct" from the same run only: absolute numbers drift ±25 % between runs
 * on this machine (platform.md), ratios measured side by side do not.
 * @module
 */

import type { TargetName } from "./targets.ts";

/** One sysbench cell; CPU and RSS belong to the proxy process. */
export interface ThroughputRow {
  readonly target: TargetName;
  readonly threads: number;
  readonly qps: number;
  readonly p95Ms: number;
  readonly cpuMicrosPerQuery?: number;
  readonly rssBytes?: number;
}

/** One connect-rate run. */
export interface ConnectRow {
  readonly target: TargetName;
  readonly threads: number;
  readonly perSecond: number;
  readonly cpuMicrosPerConnect?: number;
}

/** One idle-memory measurement. */
export interface IdleRow {
  readonly target: TargetName;
  readonly count: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
}

const MIB = 1024 * 1024;
const DASH = "–";

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? DASH : value.toFixed(digits);
}

/** Renders a markdown table with right-aligned columns after the first. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length))
  );
  const line = (cells: string[]) =>
    `| ${
      cells.map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])
      ).join(" | ")
    } |`;
  const rule = `|${
    widths.map((width, column) =>
      column === 0 ? `-${"-".repeat(width)}-` : `-${"-".repeat(width)}:`
    ).join("|")
  }|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** QPS, p95 and the proxy's CPU and memory per (target, threads). */
export function throughputTable(rows: readonly ThroughputRow[]): string {
  return markdownTable(
    ["target", "threads", "QPS", "p95 ms", "ratio to direct", "CPU µs/query", "RSS MiB"],
    rows.map((row) => {
      const direct = rows.find((r) => r.target === "direct" && r.threads === row.threads);
      return [
        row.target,
        String(row.threads),
        fixed(row.qps, 0),
        fixed(row.p95Ms, 2),
        fixed(direct && row.qps / direct.qps, 2),
        fixed(row.cpuMicrosPerQuery, 1),
        fixed(row.rssBytes === undefined ? undefined : row.rssBytes / MIB, 1),
      ];
    }),
  );
}

/** Logins per second (connect + auth + `SELECT 1` + quit). */
export function connectTable(rows: readonly ConnectRow[]): string {
  const direct = rows.find((r) => r.target === "direct");
  return markdownTable(
    ["target", "threads", "connects/s", "ratio to direct", "CPU µs/connect"],
    rows.map((row) => [
      row.target,
      String(row.threads),
      fixed(row.perSecond, 0),
      fixed(direct && row.perSecond / direct.perSecond, 2),
      fixed(row.cpuMicrosPerConnect, 1),
    ]),
  );
}

/** The proxy's RSS growth per idle, logged-in client connection. */
export function idleTable(rows: readonly IdleRow[]): string {
  return markdownTable(
    ["target", "connections", "RSS before MiB", "RSS after MiB", "KiB/connection"],
    rows.map((row) => [
      row.target,
      String(row.count),
      fixed(row.rssBeforeBytes / MIB, 1),
      fixed(row.rssAfterBytes / MIB, 1),
      fixed((row.rssAfterBytes - row.rssBeforeBytes) / 1024 / row.count, 1),
    ]),
  );
}
