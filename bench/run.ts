/**
 * Benchmark driver: MariaDB directly vs. through HAProxy (TCP, one thread)
 * vs. through myproxy, on this machine, in one run.
 *
 *     deno task bench -- [--seconds 10] [--rounds 3] [--threads 1,4,16]
 *       [--only direct,haproxy,myproxy] [--connect-threads 4] [--idle 500]
 *
 * Starts a throwaway MariaDB, prepares sysbench's `oltp_point_select` tables
 * once, then for each thread count runs direct, haproxy and myproxy back to
 * back, so the ratios compare neighbours in time. Then the login rate
 * (bench/connect.lua) and the proxies' memory per idle connection (each in a fresh process). Everything
 * it starts lives in one temp directory and is removed on exit, on error and
 * on Ctrl-C/SIGTERM; children die with us anyway (`setpriv --pdeathsig`).
 * @module
 */

import { parseArgs } from "node:util";
import { startMariaDb } from "../tests/support/mariadb.ts";
import { removeAllTempDirs, tempDir } from "../tests/support/tmp.ts";
import { measureIdle } from "./idle.ts";
import { sampleProcess } from "./proc_stat.ts";
import {
  type ConnectRow,
  connectTable,
  type IdleRow,
  idleTable,
  type ThroughputRow,
  throughputTable,
} from "./report.ts";
import { CONNECT_SCRIPT, type Endpoint, prepare, runSysbench } from "./sysbench.ts";
import {
  myproxyAvailable,
  startHaproxy,
  startMyproxyTarget,
  type Target,
  TARGET_NAMES,
  type TargetName,
} from "./targets.ts";

interface Options {
  seconds: number;
  rounds: number;
  threads: number[];
  only: TargetName[];
  connectThreads: number;
  idle: number;
}

const EX_USAGE = 64;

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      seconds: { type: "string", default: "10" },
      rounds: { type: "string", default: "3" },
      threads: { type: "string", default: "1,4,16" },
      only: { type: "string", default: TARGET_NAMES.join(",") },
      "connect-threads": { type: "string", default: "4" },
      idle: { type: "string", default: "500" },
    },
  });
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(`Invalid value for "--${name}": expected a positive integer, got "${text}"`);
    }
    return value;
  };
  const only = values.only.split(",").map((name) => {
    if (!(TARGET_NAMES as readonly string[]).includes(name)) {
      throw new Error(`Unknown target "${name}": expected ${TARGET_NAMES.join(", ")}`);
    }
    return name as TargetName;
  });
  return {
    seconds: positive("seconds", values.seconds),
    rounds: positive("rounds", values.rounds),
    threads: values.threads.split(",").map((text) => positive("threads", text)),
    only: TARGET_NAMES.filter((name) => only.includes(name)),
    connectThreads: positive("connect-threads", values["connect-threads"]),
    idle: positive("idle", values.idle),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Progress goes to stderr; the tables alone go to stdout. */
function progress(message: string): void {
  console.error(`bench: ${message}`);
}

async function startTargets(options: Options, stack: AsyncDisposableStack, direct: Endpoint) {
  const dir = stack.use(await tempDir("bench")).path;
  const targets: Target[] = [];
  const notes: string[] = [];
  for (const name of options.only) {
    if (name === "direct") {
      targets.push({ name, endpoint: direct, stop: () => Promise.resolve() });
    } else if (name === "haproxy") {
      targets.push(stack.adopt(await startHaproxy(dir, direct), (target) => target.stop()));
    } else if (!await myproxyAvailable()) {
      notes.push("myproxy skipped: src/main.ts does not exist yet.");
    } else {
      // A proxy under development must not cost us the other rows.
      try {
        targets.push(stack.adopt(await startMyproxyTarget(dir, direct), (target) => target.stop()));
      } catch (error) {
        progress(String(error));
        notes.push("myproxy skipped: it did not start (its log is above, on stderr).");
      }
    }
  }
  return { targets, notes };
}

/**
 * Memory per idle connection, each proxy measured in a process of its own:
 * the throughput and connect runs grew the first process's heap, which then
 * took the idle connections without growing (myproxy read 0 KiB or less).
 */
async function measureIdleInFreshProcesses(
  options: Options,
  targets: readonly Target[],
  direct: Endpoint,
): Promise<IdleRow[]> {
  const rows: IdleRow[] = [];
  for (const target of targets) {
    if (target.pid === undefined) continue;
    await using dir = await tempDir(`bench-idle-${target.name}`);
    const fresh = target.name === "haproxy"
      ? await startHaproxy(dir.path, direct)
      : await startMyproxyTarget(dir.path, direct);
    try {
      rows.push({ target: target.name, ...await measureIdle(fresh, options.idle) });
    } finally {
      await fresh.stop();
    }
  }
  return rows;
}

/** Runs `measure` and the proxy's CPU time spent meanwhile, in seconds. */
async function withCpu<T>(target: Target, measure: () => Promise<T>) {
  const before = target.pid === undefined ? undefined : await sampleProcess(target.pid);
  const result = await measure();
  const after = target.pid === undefined ? undefined : await sampleProcess(target.pid);
  const cpuSeconds = before && after ? after.cpuSeconds - before.cpuSeconds : undefined;
  return { result, cpuSeconds, rssBytes: after?.rssBytes };
}

async function main(options: Options, stack: AsyncDisposableStack): Promise<string> {
  progress("starting MariaDB");
  const db = stack.use(await startMariaDb({ fixtures: false }));
  await db.query("CREATE DATABASE sbtest");
  await db.query("CREATE USER sbtest@'%' IDENTIFIED BY 'sbtest-pw'");
  await db.query("GRANT ALL ON sbtest.* TO sbtest@'%'");
  const direct: Endpoint = {
    host: db.host,
    port: db.port,
    user: "sbtest",
    password: "sbtest-pw",
    database: "sbtest",
  };
  progress("preparing sysbench tables");
  await prepare(direct);
  await runSysbench("oltp_point_select", direct, 1, 1); // warm-up
  const { targets, notes } = await startTargets(options, stack, direct);

  // Each thread count runs `rounds` cycles over the targets, rotating which
  // goes first, so slow drifts of this noisy machine hit every target alike.
  const throughput: ThroughputRow[] = [];
  for (const threads of options.threads) {
    const cells = new Map<
      Target,
      { events: number; seconds: number; cpu?: number; p95: number[]; rss?: number }
    >();
    for (let round = 0; round < options.rounds; round++) {
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length];
        const { result, cpuSeconds, rssBytes } = await withCpu(
          target,
          () => runSysbench("oltp_point_select", target.endpoint, threads, options.seconds),
        );
        const cell = cells.get(target) ?? { events: 0, seconds: 0, p95: [] };
        cell.events += result.events;
        cell.seconds += result.events / result.eventsPerSecond;
        cell.p95.push(result.p95Ms);
        if (cpuSeconds !== undefined) cell.cpu = (cell.cpu ?? 0) + cpuSeconds;
        cell.rss = rssBytes;
        cells.set(target, cell);
        progress(`${target.name} ${threads} threads: ${result.eventsPerSecond.toFixed(0)} QPS`);
      }
    }
    for (const target of targets) {
      const cell = cells.get(target)!;
      throughput.push({
        target: target.name,
        threads,
        qps: cell.events / cell.seconds,
        p95Ms: median(cell.p95),
        cpuMicrosPerQuery: cell.cpu === undefined ? undefined : cell.cpu / cell.events * 1e6,
        rssBytes: cell.rss,
      });
    }
  }

  const connects: ConnectRow[] = [];
  for (const target of targets) {
    const { result, cpuSeconds } = await withCpu(
      target,
      () => runSysbench(CONNECT_SCRIPT, target.endpoint, options.connectThreads, options.seconds),
    );
    connects.push({
      target: target.name,
      threads: options.connectThreads,
      perSecond: result.eventsPerSecond,
      cpuMicrosPerConnect: cpuSeconds === undefined ? undefined : cpuSeconds / result.events * 1e6,
    });
    progress(`${target.name}: ${result.eventsPerSecond.toFixed(0)} connects/s`);
  }

  const idle = await measureIdleInFreshProcesses(options, targets, direct);

  return [
    `oltp_point_select, ${options.rounds} × ${options.seconds} s per cell (alternating), ${navigator.hardwareConcurrency} CPUs ` +
    `shared by sysbench, proxy and MariaDB (CPU and RSS: the proxy process)`,
    "",
    throughputTable(throughput),
    "",
    `Connect + login + SELECT 1 + quit (bench/connect.lua), ${options.seconds} s`,
    "",
    connectTable(connects),
    "",
    "Idle connections (logged in, one SELECT 1 each), proxy RSS",
    "",
    idle.length ? idleTable(idle) : "(no proxy selected)",
    ...notes.map((note) => `\n${note}`),
  ].join("\n");
}

let options: Options;
try {
  // `deno task bench -- --seconds 3` passes the "--" through.
  options = parseOptions(Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args);
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  Deno.exit(EX_USAGE);
}

const stack = new AsyncDisposableStack();
// Ctrl-C and a normal end may overlap: both wait for the same cleanup.
let cleanup: Promise<void> | undefined;
const cleanUp = () => cleanup ??= stack.disposeAsync();
let interrupted = false;
const interrupt = async () => {
  interrupted = true;
  progress("interrupted, cleaning up");
  await cleanUp();
  await removeAllTempDirs(); // of a server that was still starting
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", interrupt);
Deno.addSignalListener("SIGTERM", interrupt);
let status = 0;
try {
  console.log(await main(options, stack));
} catch (error) {
  // After Ctrl-C, failures of the killed children are expected noise.
  if (!interrupted) console.error(error);
  status = 1;
} finally {
  await cleanUp();
}
// The signal listeners would keep the process alive; the handler exits itself.
if (!interrupted) Deno.exit(status);
