import assert from "node:assert/strict";
import {
  CdcConnectionError,
  CdcNoFileError,
  CdcProtocolError,
  CdcStreamError,
  type RowEvent,
  type SchemaEvent,
} from "../../../src/cdc/mod.ts";
import { FakeCdcServer, waitUntil } from "../../support/fake_cdc_server.ts";
import { addOrders, clientFor, describe, orderRows, take } from "../../support/cdc/fixtures.ts";

Deno.test("a stream yields the schema, then rows with metadata apart from values", async () => {
  await using server = FakeCdcServer.start();
  server.addTable("shop", "items", {
    version: 1,
    columns: [
      { name: "id", type: ["null", "int"], realType: "int" },
      { name: "domain", realType: "varchar", length: 64 },
      { name: "raw" },
    ],
  });
  server.addRows("shop", "items", [
    {
      sequence: 11,
      eventNumber: 1,
      timestamp: 1537429419,
      values: { id: 1, domain: "example.org", raw: "x" },
    },
  ]);
  await using client = clientFor(server);
  const [schema, row] = await take(client.requestData("shop", "items"), 2) as [
    SchemaEvent,
    RowEvent,
  ];
  assert.equal(schema.kind, "schema");
  assert.deepEqual(schema.fields.slice(6).map((f) => [f.name, f.realType, f.length]), [
    ["id", "int", -1],
    ["domain_", "varchar", 64],
    ["raw", "varchar", -1],
  ]);
  assert.equal(row.kind, "row");
  assert.equal(row.domain, 0);
  assert.equal(row.serverId, 3000);
  assert.equal(row.sequence, 11n);
  assert.equal(row.eventNumber, 1);
  assert.equal(row.timestamp, 1537429419);
  assert.equal(row.eventType, "insert");
  assert.deepEqual(row.values, { id: 1, domain_: "example.org", raw: "x" });
  assert.equal(
    row.raw,
    '{"domain": 0, "server_id": 3000, "sequence": 11, "event_number": 1, "timestamp": 1537429419, ' +
      '"event_type": "insert", "id": 1, "domain_": "example.org", "raw": "x"}',
  );
});

Deno.test("a schema change mid-stream arrives as a schema event before the new rows", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 2));
  await using client = clientFor(server);
  const stream = client.requestData("shop", "orders");
  const first = await take({ [Symbol.asyncIterator]: () => stream }, 0);
  assert.deepEqual(first, []);
  const events = [];
  for (let i = 0; i < 3; i++) events.push((await stream.next()).value!);
  // The table changes while the client is streaming.
  server.addTable("shop", "orders", {
    version: 2,
    columns: [{ name: "id", type: ["null", "int"], realType: "int" }, { name: "note" }, {
      name: "added",
    }],
  });
  server.addRows("shop", "orders", [{ sequence: 3, values: { id: 3, note: "n", added: "yes" } }]);
  for (let i = 0; i < 2; i++) events.push((await stream.next()).value!);
  assert.deepEqual(describe(events), [
    "schema v1",
    "row 0-3000-1#1",
    "row 0-3000-2#1",
    "schema v2",
    "row 0-3000-3#1",
  ]);
  assert.deepEqual((events[3] as SchemaEvent).fields.map((f) => f.name).slice(6), [
    "id",
    "note",
    "added",
  ]);
  assert.deepEqual((events[4] as RowEvent).values, { id: 3, note: "n", added: "yes" });
  await stream.close();
});

Deno.test("the GTID seek is inclusive: the stream starts with that transaction", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, [
    ...orderRows(1, 2),
    { sequence: 3, eventNumber: 1, values: { id: 3 } },
    { sequence: 3, eventNumber: 2, eventType: "update_before", values: { id: 3 } },
    { sequence: 3, eventNumber: 3, eventType: "update_after", values: { id: 30 } },
    ...orderRows(4, 5),
  ]);
  await using client = clientFor(server);
  const events = await take(client.requestData("shop", "orders", { gtid: "0-3000-3" }), 5);
  assert.deepEqual(describe(events), [
    "schema v1",
    "row 0-3000-3#1",
    "row 0-3000-3#2",
    "row 0-3000-3#3",
    "row 0-3000-4#1",
  ]);
  assert.deepEqual(events.slice(1, 4).map((e) => (e as RowEvent).eventType), [
    "insert",
    "update_before",
    "update_after",
  ]);
});

Deno.test("versions are zero-padded for the caller, so version 3 is found", async () => {
  await using server = FakeCdcServer.start();
  for (const version of [1, 2, 3]) {
    server.addTable("shop", "orders", { version, columns: [{ name: "id" }] });
  }
  server.addRows("shop", "orders", [{ sequence: 1, version: 3, values: { id: "a" } }]);
  await using client = clientFor(server);
  const events = await take(client.requestData("shop", "orders", { version: 3 }), 2);
  assert.deepEqual(describe(events), ["schema v3", "row 0-3000-1#1"]);
  assert.equal(server.sessions[0].commands[2], "REQUEST-DATA shop.orders.000003");
});

Deno.test("a missing table fails with NO-FILE and the server's exact text by default", async () => {
  await using server = FakeCdcServer.start();
  await using client = clientFor(server);
  await assert.rejects(
    take(client.requestData("shop", "nothing", { version: 2 }), 1),
    (error: Error) => {
      assert.ok(error instanceof CdcNoFileError);
      assert.equal(error.serverMessage, "ERR NO-FILE File 'shop.nothing.000002.avro' not found.");
      return true;
    },
  );
  await server.sessions[0].done; // The client hung up: no socket left open.
});

Deno.test("with waitForTable a missing table yields a waiting event, then streams once it appears", async () => {
  await using server = FakeCdcServer.start();
  await using client = clientFor(server, { readTimeout: 200 });
  const stream = client.requestData("shop", "orders", { waitForTable: true });
  const waiting = await stream.next();
  assert.equal(waiting.value?.kind, "waiting");
  assert.ok(waiting.value?.kind === "waiting" && waiting.value.error instanceof CdcNoFileError);
  assert.equal(
    waiting.value?.kind === "waiting" && waiting.value.error.serverMessage,
    "ERR NO-FILE File 'shop.orders.000001.avro' not found.",
  );
  // Longer than readTimeout: waiting for the table is not a reply wait.
  await new Promise((resolve) => setTimeout(resolve, 300));
  addOrders(server, orderRows(1, 1));
  const events = [(await stream.next()).value!, (await stream.next()).value!];
  assert.deepEqual(describe(events), ["schema v1", "row 0-3000-1#1"]);
  await stream.close();
});

Deno.test("a fatal error mid-stream reaches the caller with the server's exact text", async () => {
  await using server = FakeCdcServer.start({
    faults: () => ({ fatalAfterRows: 2, fatalMessage: "ERR fatal error: MAXAVRO_ERR_MEMORY" }),
  });
  addOrders(server, orderRows(1, 5));
  await using client = clientFor(server);
  const seen: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const event of client.requestData("shop", "orders")) {
        seen.push(...describe([event]));
      }
    })(),
    (error: Error) => {
      assert.ok(error instanceof CdcStreamError);
      assert.equal(error.serverMessage, "ERR fatal error: MAXAVRO_ERR_MEMORY");
      return true;
    },
  );
  assert.deepEqual(seen, ["schema v1", "row 0-3000-1#1", "row 0-3000-2#1"]);
});

Deno.test("a malformed line mid-stream is a protocol error after the good rows", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, [...orderRows(1, 1), {
    sequence: 2,
    line: '{"domain": 0, "server_id": 1, "oops"',
  }]);
  await using client = clientFor(server);
  const stream = client.requestData("shop", "orders");
  assert.equal((await stream.next()).value?.kind, "schema");
  assert.equal((await stream.next()).value?.kind, "row");
  await assert.rejects(stream.next(), (error: Error) => {
    assert.ok(error instanceof CdcProtocolError);
    assert.equal(error.line, '{"domain": 0, "server_id": 1, "oops"');
    return true;
  });
  assert.deepEqual(await stream.next(), { done: true, value: undefined });
});

Deno.test("the server closing the stream between lines is a connection error", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 1));
  await using client = clientFor(server);
  const stream = client.requestData("shop", "orders");
  await stream.next();
  await stream.next();
  server.sessions[0].close();
  await assert.rejects(
    stream.next(),
    (error: Error) =>
      error instanceof CdcConnectionError &&
      error.message === `Connection to "${server.address}" closed by the server`,
  );
});

Deno.test("rows committed while the client streams are delivered live, and position follows", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server);
  await using client = clientFor(server);
  const stream = client.requestData("shop", "orders");
  assert.equal((await stream.next()).value?.kind, "schema");
  assert.equal(stream.position, null);
  const next = stream.next();
  await new Promise((resolve) => setTimeout(resolve, 50));
  server.addRows("shop", "orders", [{ sequence: 42, eventNumber: 1, values: { id: 42 } }]);
  assert.equal(((await next).value as RowEvent).gtid, "0-3000-42");
  assert.deepEqual(stream.position, { domain: 0, serverId: 3000, sequence: 42n, eventNumber: 1 });
  await stream.close();
  await waitUntil(() => server.sessions[0].closed);
});
