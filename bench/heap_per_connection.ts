/**
 * Live memory per idle connection, measured inside the proxy: runs the proxy
 * in this process against a throwaway MariaDB, opens idle logged-in
 * connections from a child process (so the clients' memory is not counted),
 * and compares `Deno.memoryUsage()` after forced collections. Unlike the RSS
 * growth `deno task bench` reports, this excludes V8's heap slack, so it
 * shows what the proxy itself keeps per connection.
 *
 *     deno task bench:heap -- [--connections 300]
 *
 * With `--child PORT COUNT` it is the client side: it opens COUNT
 * connections, prints "ready" and holds them until its stdin closes.
 * @module
 */

import { parseArgs } from "node:util";
import { startMariaDb } from "../tests/support/mariadb.ts";
import { freePort } from "../tests/support/child.ts";
import { tempDir } from "../tests/support/tmp.ts";
import { loadConfig } from "../src/lua/config.ts";
import { openListeners } from "../src/net/listener.ts";
import { ProxyServer } from "../src/proxy/server.ts";
import { myproxyConfig } from "./targets.ts";
import { closeAll, openIdle, settle, WARM_UP } from "./idle.ts";
import type { Endpoint } from "./sysbench.ts";

const USER = { user: "bench", password: "bench-pw", database: "bench" };

/** Client side: hold `count` idle connections through `port`. */
async function holdConnections(port: number, count: number): Promise<void> {
  const connections = await openIdle({ host: "127.0.0.1", port, ...USER }, count);
  console.log("ready");
  for await (const _ of Deno.stdin.readable) { /* until the parent closes stdin */ }
  await closeAll(connections);
}

/** Starts a child holding `count` connections; resolves once they are open. */
async function startClients(port: number, count: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      import.meta.filename!,
      "--child",
      String(port),
      String(count),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the client process ended before its connections were open");
    seen += value;
  }
  return {
    async close() {
      await child.stdin.close();
      await child.status;
    },
  };
}

function collectedMemory(): Deno.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --v8-flags=--expose-gc (deno task bench:heap does)");
  gc();
  gc();
  return Deno.memoryUsage();
}

async function measure(connections: number): Promise<string> {
  await using stack = new AsyncDisposableStack();
  const db = stack.use(await startMariaDb({ fixtures: false }));
  await db.query(`CREATE DATABASE ${USER.database}`);
  await db.query(`CREATE USER ${USER.user}@'%' IDENTIFIED BY '${USER.password}'`);
  await db.query(`GRANT ALL ON ${USER.database}.* TO ${USER.user}@'%'`);
  const dir = stack.use(await tempDir("bench-heap")).path;
  const port = freePort();
  const backend: Endpoint = { host: db.host, port: db.port, ...USER };
  await Deno.writeTextFile(`${dir}/config.lua`, myproxyConfig(port, backend));
  const config = await loadConfig(`${dir}/config.lua`);
  stack.defer(() => config.close());
  const server = new ProxyServer();
  stack.defer(() => server.closeAll());
  for (const { address, policy } of config.listeners) {
    for (const listener of await openListeners(address, server.acceptor(policy))) {
      stack.defer(() => listener.close());
    }
  }
  await (await startClients(port, WARM_UP)).close();
  await settle();
  const before = collectedMemory();
  const clients = await startClients(port, connections);
  await settle();
  const after = collectedMemory();
  await clients.close();
  const perConnection = (field: keyof Deno.MemoryUsage) =>
    ((after[field] - before[field]) / connections / 1024).toFixed(2);
  return [
    `${connections} idle connections (after ${WARM_UP} warm-up ones), KiB per connection`,
    "",
    "| heap used | heap total | external | RSS |",
    "| --------: | ---------: | -------: | --: |",
    `| ${perConnection("heapUsed")} | ${perConnection("heapTotal")} | ${
      perConnection("external")
    } | ${perConnection("rss")} |`,
  ].join("\n");
}

const { values, positionals } = parseArgs({
  args: Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args,
  options: {
    connections: { type: "string", default: "300" },
    child: { type: "boolean", default: false },
  },
  allowPositionals: true,
});
if (values.child) {
  await holdConnections(Number(positionals[0]), Number(positionals[1]));
} else {
  console.log(await measure(Number(values.connections)));
  Deno.exit(0); // the backend sockets of the closed sessions may linger briefly
}
