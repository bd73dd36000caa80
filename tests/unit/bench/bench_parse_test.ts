import assert from "node:assert/strict";
import { parseProcStat } from "../../../bench/proc_stat.ts";
import { throughputTable } from "../../../bench/report.ts";
import { parseSysbenchOutput } from "../../../bench/sysbench.ts";

const SYSBENCH_REPORT = `SQL statistics:
    transactions:                        144797 (72322.79 per sec.)
    queries:                             144797 (72322.79 per sec.)
Latency (ms):
         95th percentile:                        0.11
`;

Deno.test("a sysbench report yields events, rate and p95", () => {
  assert.deepEqual(parseSysbenchOutput(SYSBENCH_REPORT), {
    events: 144797,
    eventsPerSecond: 72322.79,
    p95Ms: 0.11,
  });
});

Deno.test("a sysbench report with a FATAL line is a failure even when complete", () => {
  const output = `FATAL: mysql_stmt_execute() returned error 2013\n${SYSBENCH_REPORT}`;
  assert.throws(() => parseSysbenchOutput(output), /sysbench failed:\nFATAL: mysql_stmt/);
});

Deno.test("a truncated sysbench report is a failure", () => {
  assert.throws(() => parseSysbenchOutput(SYSBENCH_REPORT.slice(0, 80)), /sysbench failed/);
});

Deno.test("/proc/PID/stat parsing survives spaces and parentheses in the command name", () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // field N holds "N"
  const text = `4242 (my (odd) name) ${fields.join(" ")}\n`;
  // utime 14 + stime 15 ticks at 100 Hz; rss 24 pages of 4096 bytes.
  assert.deepEqual(parseProcStat(text, 100, 4096), { cpuSeconds: 0.29, rssBytes: 24 * 4096 });
  assert.throws(() => parseProcStat("4242 (x) S 1 2", 100, 4096), /Cannot parse/);
});

Deno.test("throughput ratios compare with direct at the same thread count", () => {
  const table = throughputTable([
    { target: "direct", threads: 1, qps: 1000, p95Ms: 0.1 },
    { target: "direct", threads: 4, qps: 4000, p95Ms: 0.2 },
    {
      target: "haproxy",
      threads: 4,
      qps: 2000,
      p95Ms: 0.3,
      cpuMicrosPerQuery: 20,
      rssBytes: 2 ** 21,
    },
  ]);
  const rows = table.split("\n").slice(2).map((line) => line.split("|").map((cell) => cell.trim()));
  assert.deepEqual(rows[2], ["", "haproxy", "4", "2000", "0.30", "0.50", "20.0", "2.0", ""]);
  assert.deepEqual(rows[0].slice(5, 8), ["1.00", "–", "–"]);
});
