/**
 * The command phase's hot path in isolation: CPU per round trip of the
 * proxy's real relay (`FdSocket` + `CommandPhase`) against a bare relay that
 * only calls `recv` and `send`, both driven in-process over unix socket pairs
 * by the same client/server loop. No MariaDB, no sysbench, no network noise:
 * the difference is what the proxy's JavaScript costs per query.
 *
 *     deno task bench:relay -- [--rounds 8] [--pairs 16] [--trips 10000]
 *
 * Each measurement runs in a fresh process (`--variant`), alternating the
 * variants, so one variant's JIT feedback cannot colour the other's.
 * @module
 */

import { parseArgs } from "node:util";
import { cpuUsage } from "node:process";
import { libc } from "../src/os/libc.ts";
import { EPOLLIN, type PollHandler, thePoller } from "../src/os/poller.ts";
import { FdSocket } from "../src/os/fd_socket.ts";
import { socketPair } from "../src/os/sockets.ts";
import { MSG_DONTWAIT, MSG_NOSIGNAL } from "../src/os/constants.ts";
import { CommandPhase } from "../src/proxy/command_phase.ts";
import { framePackets } from "../src/mysql/writer.ts";
import { Command } from "../src/mysql/constants.ts";

const VARIANTS = ["bare", "proxy"] as const;
type Variant = typeof VARIANTS[number];

const FLAGS = MSG_DONTWAIT | MSG_NOSIGNAL;

/** One sysbench-sized point select and its result set (4 packets). */
const QUERY = framePackets(
  0,
  new Uint8Array([
    Command.QUERY,
    ...new TextEncoder().encode("SELECT c FROM sbtest1 WHERE id=4242"),
  ]),
);
const RESULT = new Uint8Array([
  ...framePackets(1, new Uint8Array([1])),
  ...framePackets(2, new Uint8Array(40).fill(0x20)),
  ...framePackets(3, new Uint8Array(125).fill(0x41)),
  ...framePackets(4, new Uint8Array([0xfe, 0, 0, 2, 0, 0, 0])),
]);

const scratch = new Uint8Array(64 * 1024);

/** The server end: answers every query with the result set. */
class FakeServer implements PollHandler {
  constructor(private readonly fd: number) {}
  onPoll(): void {
    if (libc().recv(this.fd, scratch, scratch.length, FLAGS) > 0) {
      libc().send(this.fd, RESULT, RESULT.length, FLAGS);
    }
  }
}

/** The client end: sends the next query when a result arrives. */
class FakeClient implements PollHandler {
  trips = 0;
  constructor(
    private readonly fd: number,
    private readonly limit: number,
    private readonly done: () => void,
  ) {}
  start(): void {
    libc().send(this.fd, QUERY, QUERY.length, FLAGS);
  }
  onPoll(): void {
    if (libc().recv(this.fd, scratch, scratch.length, FLAGS) <= 0) return;
    if (++this.trips < this.limit) this.start();
    else this.done();
  }
}

/** The floor: a relay that moves each chunk with one `recv` and one `send`. */
class BareRelay implements PollHandler {
  constructor(private readonly from: number, private readonly to: number) {}
  onPoll(): void {
    const received = libc().recv(this.from, scratch, scratch.length, FLAGS);
    if (received > 0) libc().send(this.to, scratch, received, FLAGS);
  }
}

const quietHost = { handleCommand: () => undefined, sendError: () => {}, log: () => {} };

/** Runs one variant in this process; returns CPU µs per round trip. */
async function measure(variant: Variant, pairs: number, trips: number): Promise<number> {
  const poller = thePoller();
  let finished = 0;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => allDone = resolve);
  const clients: FakeClient[] = [];
  for (let i = 0; i < pairs; i++) {
    const [clientEnd, proxyClientSide] = socketPair();
    const [proxyBackendSide, serverEnd] = socketPair();
    poller.add(serverEnd, EPOLLIN, new FakeServer(serverEnd));
    const client = new FakeClient(clientEnd, trips, () => ++finished === pairs && allDone());
    poller.add(clientEnd, EPOLLIN, client);
    clients.push(client);
    if (variant === "bare") {
      poller.add(proxyClientSide, EPOLLIN, new BareRelay(proxyClientSide, proxyBackendSide));
      poller.add(proxyBackendSide, EPOLLIN, new BareRelay(proxyBackendSide, proxyClientSide));
    } else {
      const phase = new CommandPhase(
        quietHost,
        new FdSocket(proxyClientSide),
        new FdSocket(proxyBackendSide),
      );
      void phase.run(new Uint8Array(), new Uint8Array());
    }
  }
  const before = cpuUsage();
  for (const client of clients) client.start();
  await done;
  const used = cpuUsage(before);
  return (used.user + used.system) / (pairs * trips);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function runChild(variant: Variant, pairs: number, trips: number): Promise<number> {
  // "deno" from PATH, so the task's permission can be `--allow-run=deno`.
  const output = await new Deno.Command("deno", {
    args: [
      "run",
      "--frozen",
      "--allow-ffi=/usr/lib/x86_64-linux-gnu/libc.so.6",
      import.meta.filename!,
      `--variant=${variant}`,
      `--pairs=${pairs}`,
      `--trips=${trips}`,
    ],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`the ${variant} run failed`);
  return Number(new TextDecoder().decode(output.stdout).trim());
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    variant: { type: "string" },
    rounds: { type: "string", default: "8" },
    pairs: { type: "string", default: "16" },
    trips: { type: "string", default: "10000" },
  },
});
const pairs = Number(values.pairs);
const trips = Number(values.trips);

if (values.variant !== undefined) {
  if (!VARIANTS.includes(values.variant as Variant)) {
    throw new Error(`--variant must be one of ${VARIANTS.join(", ")}`);
  }
  console.log((await measure(values.variant as Variant, pairs, trips)).toFixed(3));
  Deno.exit(0); // the sockets stay registered: leave without closing them one by one
} else {
  const results: Record<Variant, number[]> = { bare: [], proxy: [] };
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const variant of round % 2 ? [...VARIANTS].reverse() : VARIANTS) {
      results[variant].push(await runChild(variant, pairs, trips));
    }
  }
  console.log(
    `${pairs} pairs × ${trips} round trips, ${values.rounds} rounds, CPU µs per round trip`,
  );
  console.log("| variant | min | median |");
  console.log("| ------- | --: | -----: |");
  for (const variant of VARIANTS) {
    const row = results[variant];
    console.log(`| ${variant} | ${Math.min(...row).toFixed(2)} | ${median(row).toFixed(2)} |`);
  }
  const extra = median(results.proxy) - median(results.bare);
  console.log(`proxy − bare (median): ${extra.toFixed(2)} µs per round trip`);
}
