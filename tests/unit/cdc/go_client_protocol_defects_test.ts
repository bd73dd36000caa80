/**
 * Regression tests for the Go reference client's protocol defects listed in
 * cdc-protocol.md (handshake, error lines, row/schema detection, keep-alive).
 * The other defects: go_client_defects_test.ts.
 */

import assert from "node:assert/strict";
import {
  CdcAuthenticationError,
  CdcConnectionError,
  type CdcLogger,
  CdcProtocolError,
  CdcRequestError,
  type RowEvent,
} from "../../../src/cdc/mod.ts";
import { FakeCdcServer } from "../../support/fake_cdc_server.ts";
import { addOrders, clientFor, orderRows, take } from "../../support/cdc/fixtures.ts";

/** A logger that records what it is given. */
function spyLogger(): CdcLogger & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string) => lines.push(`${level}: ${message}`);
  return {
    lines,
    debug: () => {},
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  };
}

// Defect: EOF or any reply not starting with ERR during the handshake counts as OK.

for (const step of ["auth", "register"] as const) {
  const cases: [string | null, new (...args: never[]) => Error][] = [
    [null, CdcConnectionError],
    ["", CdcConnectionError],
    ["\n", CdcConnectionError],
    ["\n\n", CdcConnectionError],
    ["garbage\n", CdcProtocolError],
    ["OKAY\n", CdcProtocolError],
    ["ok\n", CdcProtocolError],
    [" OK\n", CdcProtocolError],
    ["OK", CdcConnectionError],
  ];
  for (const [reply, expected] of cases) {
    Deno.test(`${step} reply ${JSON.stringify(reply)} then EOF is refused (regression: Go took it for OK)`, async () => {
      await using server = FakeCdcServer.start({ faults: () => ({ replies: { [step]: reply } }) });
      addOrders(server, orderRows(1, 1));
      await using client = clientFor(server);
      await assert.rejects(client.requestData("shop", "orders").next(), expected);
      assert.equal(
        server.sessions[0].commands.length,
        step === "auth" ? 1 : 2,
        "no further command was sent",
      );
    });
  }
}

// Defect: ERR lines before the schema are logged and skipped (an unpadded version
// hangs forever); the caller never sees any error: the channel just closes.

for (const text of ["ERR REQUEST-DATA with no data.", "ERR NO-FILE Filename not specified."]) {
  Deno.test(`${JSON.stringify(text)} before the schema rejects with that text (regression: Go skipped it)`, async () => {
    await using server = FakeCdcServer.start({
      faults: () => ({ replies: { request: `${text}\n` } }),
    });
    addOrders(server);
    await using client = clientFor(server);
    await assert.rejects(
      client.requestData("shop", "orders").next(),
      (error: Error) => error instanceof CdcRequestError && error.serverMessage === text,
    );
  });
}

Deno.test("an unpadded version is padded, so the table is found (regression: Go hung on NO-FILE)", async () => {
  await using server = FakeCdcServer.start();
  for (const version of [1, 2, 3]) {
    server.addTable("shop", "orders", { version, columns: [{ name: "id" }] });
  }
  await using client = clientFor(server);
  assert.equal(
    (await client.requestData("shop", "orders", { version: "3" }).next()).value?.kind,
    "schema",
  );
  assert.equal(server.sessions[0].commands[2], "REQUEST-DATA shop.orders.000003");
});

Deno.test("the server ending the stream is an error, not a silent end (regression: Go closed the channel)", async () => {
  await using server = FakeCdcServer.start({ faults: () => ({ replies: { request: null } }) });
  addOrders(server);
  await using client = clientFor(server);
  await assert.rejects(client.requestData("shop", "orders").next(), CdcConnectionError);
});

// Defect: row vs. schema is guessed from the prefix {"domain":; a column named raw breaks decoding.

Deno.test("a column named raw or domain and rows not starting with domain decode (regression: Go prefix guess)", async () => {
  await using server = FakeCdcServer.start();
  server.addTable("shop", "t", { version: 1, columns: [{ name: "raw" }, { name: "domain" }] });
  server.addRows("shop", "t", [
    { sequence: 1, values: { raw: "r1", domain: "d1" } },
    {
      sequence: 2,
      line:
        '{"raw": "r2", "event_type": "insert", "domain": 0, "server_id": 3000, "sequence": 2, ' +
        '"event_number": 1, "timestamp": 5, "domain_": "d2"}',
    },
  ]);
  await using client = clientFor(server);
  const [schema, first, second] = await take(client.requestData("shop", "t"), 3);
  assert.equal(schema.kind, "schema");
  assert.deepEqual((first as RowEvent).values, { raw: "r1", domain_: "d1" });
  assert.deepEqual((second as RowEvent).values, { raw: "r2", domain_: "d2" });
  assert.equal((second as RowEvent).raw.slice(0, 13), '{"raw": "r2",');
});

// Defect: no cancellation, no reconnect or resume, no deduplication, no keep-alive
// or idle timeout on a silent dead peer. (Cancellation: lifecycle_test.ts;
// reconnect, resume and deduplication: reconnect_test.ts; idle timeout:
// timeouts_test.ts.)

Deno.test("the socket has TCP keep-alive on (regression: Go had none)", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server);
  await using client = clientFor(server);
  const stream = client.requestData("shop", "orders");
  await stream.next();
  const table = new Deno.Command("cat", {
    args: ["/proc/net/tcp", "/proc/net/tcp6"],
    stderr: "null",
  }).outputSync();
  const port = `:${server.port.toString(16).toUpperCase().padStart(4, "0")}`;
  // Columns: sl local remote st queues tr:when … — the client's socket has the server as remote.
  const timers = new TextDecoder().decode(table.stdout).split("\n").map((line) =>
    line.trim().split(/\s+/)
  )
    .filter((cols) => cols[2]?.endsWith(port) && cols[3] === "01").map((cols) =>
      cols[5].split(":")[0]
    );
  assert.deepEqual(timers, ["02"], "timer 02 is the keep-alive timer");
  await stream.close();
});

Deno.test("the client logs no errors of its own while failing (regression: Go only logged)", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server);
  const logger = spyLogger();
  await using client = clientFor(server, { password: "bad", logger });
  await assert.rejects(client.requestData("shop", "orders").next(), CdcAuthenticationError);
  assert.deepEqual(logger.lines, []);
});
