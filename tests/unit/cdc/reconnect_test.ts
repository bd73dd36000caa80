import assert from "node:assert/strict";
import {
  CdcAuthenticationError,
  CdcConnectionError,
  type CdcEvent,
  CdcNoFileError,
  type ReconnectEvent,
} from "../../../src/cdc/mod.ts";
import type { FakeRow } from "../../support/fake_cdc_server.ts";
import { FakeCdcServer, waitUntil } from "../../support/fake_cdc_server.ts";
import { addOrders, clientFor, describe, orderRows } from "../../support/cdc/fixtures.ts";

const FAST = { initialDelay: 10, maxDelay: 50, jitter: 0 };

/** Seq 1, a three-event transaction 2, then 3 and 4. */
const ROWS: FakeRow[] = [
  ...orderRows(1, 1),
  { sequence: 2, eventNumber: 1, values: { id: 21 } },
  { sequence: 2, eventNumber: 2, values: { id: 22 } },
  { sequence: 2, eventNumber: 3, values: { id: 23 } },
  ...orderRows(3, 4),
];

async function collect(stream: AsyncIterable<CdcEvent>, rows: number): Promise<CdcEvent[]> {
  const events: CdcEvent[] = [];
  let seen = 0;
  for await (const event of stream) {
    events.push(event);
    if (event.kind === "row" && ++seen === rows) break;
  }
  return events;
}

Deno.test("a connection dropped mid-line resumes from the last GTID and delivers each event once", async () => {
  await using server = FakeCdcServer.start({
    faults: (index) => index === 0 ? { dropMidLineAtRow: 3 } : undefined,
  });
  addOrders(server, ROWS);
  await using client = clientFor(server, { reconnect: FAST });
  const events = await collect(client.requestData("shop", "orders"), 6);
  assert.deepEqual(describe(events), [
    "schema v1",
    "row 0-3000-1#1",
    "row 0-3000-2#1",
    "reconnect CdcConnectionError",
    "row 0-3000-2#2",
    "row 0-3000-2#3",
    "row 0-3000-3#1",
    "row 0-3000-4#1",
  ]);
  const reconnect = events[3] as ReconnectEvent;
  assert.equal(reconnect.attempt, 1);
  assert.equal(reconnect.delayMs, 10);
  assert.match(reconnect.error.message, /in the middle of a line/);
  assert.equal(server.sessions[1].commands[2], "REQUEST-DATA shop.orders.000001 0-3000-2");
});

Deno.test("a fatal stream error reconnects and resumes", async () => {
  await using server = FakeCdcServer.start({
    faults: (index) => index === 0 ? { fatalAfterRows: 2 } : undefined,
  });
  addOrders(server, ROWS);
  await using client = clientFor(server, { reconnect: FAST });
  const events = await collect(client.requestData("shop", "orders"), 6);
  assert.deepEqual(describe(events), [
    "schema v1",
    "row 0-3000-1#1",
    "row 0-3000-2#1",
    "reconnect CdcStreamError",
    "row 0-3000-2#2",
    "row 0-3000-2#3",
    "row 0-3000-3#1",
    "row 0-3000-4#1",
  ]);
});

Deno.test("a silent dead server is detected by the idle timeout and replaced", async () => {
  await using server = FakeCdcServer.start({
    faults: (index) => index === 0 ? { silentAfterRows: 1 } : undefined,
  });
  addOrders(server, ROWS);
  await using client = clientFor(server, { reconnect: FAST, idleTimeout: 100 });
  const events = await collect(client.requestData("shop", "orders"), 6);
  assert.equal(describe(events)[2], "reconnect CdcTimeoutError");
  assert.equal(events.filter((event) => event.kind === "row").length, 6);
  assert.equal(server.sessions[1].commands[2], "REQUEST-DATA shop.orders.000001 0-3000-1");
});

Deno.test("the resumed request names the schema version in effect", async () => {
  await using server = FakeCdcServer.start({
    faults: (index) => index === 0 ? { dropMidLineAtRow: 3 } : undefined,
  });
  addOrders(server, orderRows(1, 1));
  server.addTable("shop", "orders", { version: 2, columns: [{ name: "id" }] });
  server.addRows("shop", "orders", [...orderRows(2, 4)]);
  await using client = clientFor(server, { reconnect: FAST });
  const events = await collect(client.requestData("shop", "orders", { version: 1 }), 4);
  assert.deepEqual(describe(events), [
    "schema v1",
    "row 0-3000-1#1",
    "schema v2",
    "row 0-3000-2#1",
    "reconnect CdcConnectionError",
    "row 0-3000-3#1",
    "row 0-3000-4#1",
  ]);
  assert.equal(server.sessions[1].commands[2], "REQUEST-DATA shop.orders.000002 0-3000-2");
});

Deno.test("refusals are not retried: authentication", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server);
  await using client = clientFor(server, { password: "wrong", reconnect: FAST });
  await assert.rejects(client.requestData("shop", "orders").next(), CdcAuthenticationError);
  assert.equal(server.sessions.length, 1);
});

Deno.test("refusals are not retried: missing table", async () => {
  await using server = FakeCdcServer.start();
  await using client = clientFor(server, { reconnect: FAST });
  await assert.rejects(client.requestData("shop", "orders").next(), CdcNoFileError);
  assert.equal(server.sessions.length, 1);
});

Deno.test("after maxAttempts failed retries the last error reaches the caller", async () => {
  const server = FakeCdcServer.start();
  const address = server.address;
  await server.close(); // Nothing listens there now: connection refused.
  await using client = clientFor({ address } as FakeCdcServer, {
    reconnect: { ...FAST, maxAttempts: 3 },
  });
  const events: CdcEvent[] = [];
  await assert.rejects(
    (async () => {
      for await (const event of client.requestData("shop", "orders")) events.push(event);
    })(),
    (error: Error) =>
      error instanceof CdcConnectionError &&
      error.message.startsWith(`Cannot connect to "${address}"`),
  );
  assert.deepEqual(events.map((event) => (event as ReconnectEvent).attempt), [1, 2, 3]);
  assert.deepEqual(events.map((event) => (event as ReconnectEvent).delayMs), [10, 20, 40]);
});

Deno.test("the attempt count restarts after a working connection", async () => {
  await using server = FakeCdcServer.start({
    faults: (index) => index < 3 ? { dropMidLineAtRow: 1 + index } : undefined,
  });
  addOrders(server, orderRows(1, 6));
  await using client = clientFor(server, { reconnect: { ...FAST, maxAttempts: 1 } });
  const events = await collect(client.requestData("shop", "orders"), 6);
  const attempts = events.filter((event) => event.kind === "reconnect").map((event) =>
    event.attempt
  );
  assert.deepEqual(attempts, [1, 1, 1]);
  assert.equal(events.filter((event) => event.kind === "row").length, 6);
});

Deno.test("close() during the backoff ends the stream at once", async () => {
  await using server = FakeCdcServer.start({ faults: () => ({ dropMidLineAtRow: 1 }) });
  addOrders(server, orderRows(1, 1));
  await using client = clientFor(server, {
    reconnect: { initialDelay: 60_000, jitter: 0, maxDelay: 60_000 },
  });
  const stream = client.requestData("shop", "orders");
  assert.equal((await stream.next()).value?.kind, "schema");
  assert.equal((await stream.next()).value?.kind, "reconnect");
  const next = stream.next(); // Sleeping 60 s before reconnecting.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  await stream.close();
  assert.deepEqual(await next, { done: true, value: undefined });
  assert.ok(performance.now() - started < 500);
  await waitUntil(() => server.sessions[0].closed);
  assert.equal(server.sessions.length, 1);
});
