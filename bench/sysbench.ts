/**
 * Runs sysbench 1.0 against one MySQL endpoint and parses its report.
 *
 * Debian's sysbench links MariaDB Connector/C, which answers a
 * `mysql_clear_password` greeting with the password in the initial
 * HandshakeResponse without any option or environment variable (checked
 * against a fake server), so the same invocation works through myproxy.
 * @module
 */

import { run } from "../tests/support/child.ts";

/** Where and as whom sysbench connects. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** What one sysbench run reported. */
export interface SysbenchResult {
  /** Events: queries for `oltp_point_select`, logins for `connect.lua`. */
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly p95Ms: number;
}

/** The table set every run uses; `prepare` creates it. */
export const TABLES = { tables: 4, tableSize: 10_000 } as const;

/** The connect+login+`SELECT 1`+quit loop, next to this file. */
export const CONNECT_SCRIPT = new URL("./connect.lua", import.meta.url).pathname;

function commonArgs(endpoint: Endpoint): string[] {
  return [
    "--db-driver=mysql",
    `--mysql-host=${endpoint.host}`,
    `--mysql-port=${endpoint.port}`,
    `--mysql-user=${endpoint.user}`,
    `--mysql-password=${endpoint.password}`,
    `--mysql-db=${endpoint.database}`,
    `--tables=${TABLES.tables}`,
    `--table-size=${TABLES.tableSize}`,
  ];
}

/** Creates and fills the `oltp_point_select` tables. */
export async function prepare(endpoint: Endpoint): Promise<void> {
  await run("sysbench", ["oltp_point_select", ...commonArgs(endpoint), "prepare"]);
}

/** Runs `test` (a built-in name or a script path) for `seconds` with `threads`. */
export async function runSysbench(
  test: string,
  endpoint: Endpoint,
  threads: number,
  seconds: number,
): Promise<SysbenchResult> {
  const output = await run("sysbench", [
    test,
    ...commonArgs(endpoint),
    `--threads=${threads}`,
    `--time=${seconds}`,
    "--percentile=95",
    "--report-interval=0",
    "run",
  ]);
  return parseSysbenchOutput(output);
}

/** Extracts events, events per second and p95 latency. Pure. */
export function parseSysbenchOutput(output: string): SysbenchResult {
  // sysbench prints FATAL lines but may still exit 0 when a thread fails.
  const fatal = /^FATAL: .*$/m.exec(output);
  const events = /^\s*transactions:\s+(\d+)\s+\(([\d.]+) per sec\.\)/m.exec(output);
  const p95 = /^\s*95th percentile:\s+([\d.]+)/m.exec(output);
  if (fatal || !events || !p95) {
    throw new Error(`sysbench failed:\n${output.trimEnd().split("\n").slice(-15).join("\n")}`);
  }
  return { events: Number(events[1]), eventsPerSecond: Number(events[2]), p95Ms: Number(p95[1]) };
}
