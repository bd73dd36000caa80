/**
 * The CDC tool as a user runs it: `deno run` with the flags of the `cdc`
 * task, against the fake server.
 */

import assert from "node:assert/strict";
import { FakeCdcServer, waitUntil } from "../../support/fake_cdc_server.ts";
import { addOrders, orderRows } from "../../support/cdc/fixtures.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
// The permissions of the `cdc` task in deno.json, nothing more.
const TASK = [
  "run",
  "--frozen",
  "--allow-net",
  "--allow-read",
  "--allow-env=MAXSCALE_CDC_PASSWORD",
  "src/cdc/cli.ts",
];

interface Run {
  child: Deno.ChildProcess;
  lines: AsyncGenerator<string>;
  stdout: ReadableStreamDefaultReader<Uint8Array>;
  stderr: Promise<string>;
}

function inherited(): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.MAXSCALE_CDC_PASSWORD;
  return env;
}

function start(
  args: string[],
  env: Record<string, string> = { MAXSCALE_CDC_PASSWORD: "maxpwd" },
): Run {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...TASK, ...args],
    cwd: ROOT,
    clearEnv: true, // So an inherited MAXSCALE_CDC_PASSWORD cannot change a test.
    env: { ...inherited(), NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = child.stdout.getReader();
  return { child, stdout, lines: lines(stdout), stderr: new Response(child.stderr).text() };
}

async function* lines(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
    }
  }
  if (pending !== "") yield pending;
}

async function next(run: Run): Promise<string> {
  const { value, done } = await run.lines.next();
  assert.ok(!done, "stdout ended early");
  return value;
}

/** Reads the rest of stdout and waits for the exit. */
async function finish(run: Run): Promise<{ code: number; rest: string[]; stderr: string }> {
  const rest: string[] = [];
  for await (const line of run.lines) rest.push(line);
  const { code } = await run.child.status;
  return { code, rest, stderr: await run.stderr };
}

const base = (server: FakeCdcServer) => ["--address", server.address, "--user", "maxuser"];

Deno.test("the tool prints the schema and rows as JSON lines and stops cleanly on SIGINT", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(8, 9));
  const run = start([...base(server), "--gtid", "0-3000-9", "--version", "1", "shop.orders"]);
  const schema = JSON.parse(await next(run));
  assert.equal(schema.type, "record");
  assert.equal(schema.table, "orders");
  const row = JSON.parse(await next(run));
  assert.deepEqual(row, {
    domain: 0,
    server_id: 3000,
    sequence: 9,
    event_number: 1,
    timestamp: 1537429419,
    event_type: "insert",
    id: 9,
    note: "order 9",
  });
  server.addRows("shop", "orders", orderRows(10, 10));
  assert.equal(JSON.parse(await next(run)).sequence, 10);
  assert.equal(server.sessions[0].commands[2], "REQUEST-DATA shop.orders.000001 0-3000-9");
  run.child.kill("SIGINT");
  const { code, rest, stderr } = await finish(run);
  assert.equal(code, 0, stderr);
  assert.deepEqual(rest, []);
  assert.match(stderr, /SIGINT received: stopping/);
  await waitUntil(() => server.sessions[0].closed);
});

Deno.test("the tool stops cleanly when its stdout is closed", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 1));
  const run = start([...base(server), "shop.orders"]);
  await next(run);
  await next(run);
  await run.stdout.cancel(); // Like `| head -2`.
  server.addRows("shop", "orders", orderRows(2, 3));
  const { code } = await run.child.status;
  const stderr = await run.stderr;
  assert.equal(code, 0, stderr);
  assert.match(stderr, /Standard output closed: stopping/);
  await waitUntil(() => server.sessions[0].closed);
});

Deno.test("the tool reads the password from a file and exits 77 on authentication failure", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server);
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, "not-the-password\n");
    const run = start([...base(server), "--password-file", file, "shop.orders"], {});
    const { code, rest, stderr } = await finish(run);
    assert.equal(code, 77);
    assert.deepEqual(rest, []);
    assert.match(stderr, /Authentication failed: server replied "ERROR: Authentication failed"/);
    // The file's password (minus its newline) was used: MAXSCALE_CDC_PASSWORD was not set.
    assert.equal(server.sessions.length, 1);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("the tool accepts the password file's content without its trailing newline", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 1));
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, "maxpwd\r\n");
    const run = start([...base(server), "--password-file", file, "shop.orders"], {});
    assert.equal(JSON.parse(await next(run)).type, "record");
    run.child.kill("SIGTERM");
    assert.equal((await finish(run)).code, 0);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("the tool exits 66 with the server's text when the table does not exist", async () => {
  await using server = FakeCdcServer.start();
  const { code, stderr } = await finish(start([...base(server), "shop.missing"]));
  assert.equal(code, 66);
  assert.match(
    stderr,
    /Table not found: server replied "ERR NO-FILE File 'shop\.missing\.000001\.avro' not found\."/,
  );
});

Deno.test("the tool exits 69 when nothing listens", async () => {
  const server = FakeCdcServer.start();
  await server.close();
  const { code, stderr } = await finish(start([...base(server), "shop.orders"]));
  assert.equal(code, 69);
  assert.match(stderr, new RegExp(`error: Cannot connect to "${server.address}"`));
});

Deno.test("usage errors exit 64, and a password on the command line is refused", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [
      ["--address", "h:1", "--user", "u", "--password", "secret", "db.t"],
      {},
      /"--password" is not accepted/,
    ],
    [["--address", "h:1", "--user", "u", "db.t"], {}, /No password/],
    [
      ["--address", "h:1", "--user", "u"],
      { MAXSCALE_CDC_PASSWORD: "p" },
      /Expected one DATABASE\.TABLE/,
    ],
    [
      ["--address", "h:1", "--user", "u", "--gtid", "0-1", "db.t"],
      { MAXSCALE_CDC_PASSWORD: "p" },
      /Invalid GTID "0-1"/,
    ],
  ];
  for (const [args, env, pattern] of cases) {
    const { code, stderr } = await finish(start(args, env));
    assert.equal(code, 64, stderr);
    assert.match(stderr, pattern);
  }
});

Deno.test("--help prints the usage with the exit statuses", async () => {
  const { code, rest } = await finish(start(["--", "--help"]));
  assert.equal(code, 0);
  assert.match(rest.join("\n"), /^Usage: deno task cdc/);
  assert.match(rest.join("\n"), /77 {2}authentication or registration refused/);
});
