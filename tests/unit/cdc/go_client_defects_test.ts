/**
 * One regression test (or group) per defect of the Go reference client listed
 * in cdc-protocol.md: each shows the defect absent here. Handshake, error
 * line, row/schema and keep-alive defects: go_client_protocol_defects_test.ts.
 */

import assert from "node:assert/strict";
import { CdcConnection, type Transport } from "../../../src/cdc/connection.ts";
import {
  CdcClient,
  type CdcLogger,
  CdcProtocolError,
  CdcRequestError,
  CdcTimeoutError,
  type RowEvent,
} from "../../../src/cdc/mod.ts";
import { resolveClientOptions } from "../../../src/cdc/options.ts";
import { blackhole } from "../../support/cdc/blackhole.ts";
import { FakeCdcServer, waitUntil } from "../../support/fake_cdc_server.ts";
import { addOrders, clientFor, describe, orderRows, take } from "../../support/cdc/fixtures.ts";

const MiB = 1024 * 1024;

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

/** A socket whose reads and writes never complete until it is closed. */
function stuckTransport(): Transport & { closed: boolean } {
  let fail: (error: Error) => void = () => {};
  const stuck = new Promise<never>((_, reject) => fail = reject);
  stuck.catch(() => {});
  return {
    closed: false,
    read: () => stuck,
    write: () => stuck,
    close() {
      this.closed = true;
      fail(new Deno.errors.Interrupted("operation canceled"));
    },
  };
}

// Defect: WithDialTimeout and WithWriteTimeout set the read timeout; the dial timeout is never honoured.

Deno.test("each timeout option sets its own limit (regression: Go options all set the read timeout)", () => {
  const { limits } = resolveClientOptions({
    address: "h:1",
    user: "u",
    password: "p",
    dialTimeout: 11,
    readTimeout: 22,
    writeTimeout: 33,
    idleTimeout: 44,
  });
  assert.deepEqual([
    limits.dialTimeout,
    limits.readTimeout,
    limits.writeTimeout,
    limits.idleTimeout,
  ], [
    11,
    22,
    33,
    44,
  ]);
});

Deno.test("dialTimeout bounds a hanging connect (regression: Go never honoured the dial timeout)", async () => {
  await using hole = await blackhole();
  await using client = new CdcClient({
    address: hole.address,
    user: "u",
    password: "p",
    dialTimeout: 100,
    readTimeout: 60_000,
  });
  const started = performance.now();
  await assert.rejects(client.requestData("db", "t").next(), (error: Error) => {
    assert.ok(error instanceof CdcTimeoutError);
    assert.equal(error.kind, "dial");
    assert.equal(error.message, `Cannot connect to "${hole.address}" within dialTimeout (100 ms)`);
    return true;
  });
  assert.ok(performance.now() - started < 1000);
});

Deno.test("writeTimeout bounds writes and readTimeout reads (regression: Go WithWriteTimeout set the read timeout)", async () => {
  const target = { hostname: "h", port: 1, label: "h:1" };
  const limits = {
    dialTimeout: 60_000,
    readTimeout: 60_000,
    writeTimeout: 50,
    idleTimeout: Infinity,
    keepAlive: true,
    maxLineBytes: 1000,
  };
  const writer = stuckTransport();
  const writing = new CdcConnection(writer, target, limits, new AbortController().signal);
  await assert.rejects(writing.send("REGISTER UUID=x, TYPE=JSON"), (error: Error) => {
    assert.ok(error instanceof CdcTimeoutError);
    assert.equal(error.kind, "write");
    assert.equal(error.message, 'Cannot send to "h:1" within writeTimeout (50 ms)');
    return true;
  });
  assert.ok(writer.closed, "the timed-out socket is closed");
  const reader = stuckTransport();
  const reading = new CdcConnection(reader, target, {
    ...limits,
    readTimeout: 50,
    writeTimeout: 60_000,
  }, new AbortController().signal);
  await assert.rejects(
    reading.readLine("reply"),
    (error: Error) => error instanceof CdcTimeoutError && error.kind === "read",
  );
  assert.ok(reader.closed);
});

// Defect: a 1 MiB line limit ends the stream on a large row, and the error is only logged.

Deno.test("rows over 1 MiB are delivered (regression: Go's 1 MiB scanner limit)", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, [
    { sequence: 1, values: { id: 1, note: "f".repeat(3 * MiB) } },
    ...orderRows(2, 2),
  ]);
  await using client = clientFor(server);
  const events = await take(client.requestData("shop", "orders"), 3);
  assert.deepEqual(describe(events), ["schema v1", "row 0-3000-1#1", "row 0-3000-2#1"]);
  assert.equal(((events[1] as RowEvent).values.note as string).length, 3 * MiB);
});

Deno.test("stream failures reject the iteration, they are not only logged (regression: Go logged and closed)", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, [{ sequence: 1, values: { id: 1, note: "g".repeat(2 * MiB) } }]);
  const logger = spyLogger();
  await using client = clientFor(server, { maxLineBytes: MiB, logger });
  await assert.rejects(take(client.requestData("shop", "orders"), 2), CdcProtocolError);
  assert.deepEqual(logger.lines.filter((line) => line.startsWith("error")), []);
});

// Defect: Stop() panics when login/registration failed or when called twice.

for (const failure of ["authentication", "registration"] as const) {
  Deno.test(`close() after a failed ${failure} is safe, twice (regression: Go Stop panicked)`, async () => {
    await using server = FakeCdcServer.start({
      faults: () =>
        failure === "registration"
          ? { replies: { register: "ERR, code 12, msg: Registration failed\n" } }
          : {},
    });
    addOrders(server);
    const client = clientFor(server, { password: failure === "authentication" ? "bad" : "maxpwd" });
    const stream = client.requestData("shop", "orders");
    await assert.rejects(stream.next());
    await stream.close();
    await stream.close();
    await client.close();
    await client.close();
  });
}

// Defect: a failed request after a successful connect leaks the socket; a second
// RequestData on the same client leaks the first connection.

Deno.test("a refused REQUEST-DATA closes its socket (regression: Go leaked it)", async () => {
  await using server = FakeCdcServer.start();
  await using client = clientFor(server);
  await assert.rejects(client.requestData("shop", "missing").next(), CdcRequestError);
  await waitUntil(() => server.sessions[0].closed);
});

Deno.test("a second requestData has its own connection and close() ends both (regression: Go leaked the first)", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 3));
  const client = clientFor(server);
  const first = client.requestData("shop", "orders");
  await first.next();
  const second = client.requestData("shop", "orders", { gtid: "0-3000-2" });
  assert.deepEqual(describe([(await second.next()).value!, (await second.next()).value!]), [
    "schema v1",
    "row 0-3000-2#1",
  ]);
  assert.equal(
    ((await first.next()).value as RowEvent).gtid,
    "0-3000-1",
    "the first stream still works",
  );
  assert.equal(server.sessions.length, 2);
  await client.close();
  await waitUntil(() => server.sessions.every((session) => session.closed));
});
