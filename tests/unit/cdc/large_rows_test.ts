import assert from "node:assert/strict";
import { CdcProtocolError, type RowEvent } from "../../../src/cdc/mod.ts";
import { FakeCdcServer, waitUntil } from "../../support/fake_cdc_server.ts";
import { addOrders, clientFor, describe, orderRows } from "../../support/cdc/fixtures.ts";

const MiB = 1024 * 1024;

Deno.test("a 32 MiB row is delivered whole, followed by the next rows", async () => {
  await using server = FakeCdcServer.start();
  const blob = "ab".repeat(16 * MiB); // 32 MiB of hex, as MaxScale sends a 16 MiB BLOB.
  addOrders(server, [{ sequence: 1, values: { id: 1, note: blob } }, ...orderRows(2, 3)]);
  await using client = clientFor(server);
  const stream = client.requestData("shop", "orders");
  const started = performance.now();
  const events = [];
  for (let i = 0; i < 4; i++) events.push((await stream.next()).value!);
  const elapsed = performance.now() - started;
  assert.deepEqual(describe(events), [
    "schema v1",
    "row 0-3000-1#1",
    "row 0-3000-2#1",
    "row 0-3000-3#1",
  ]);
  const big = events[1] as RowEvent;
  assert.equal((big.values.note as string).length, 32 * MiB);
  assert.ok(big.values.note === blob);
  assert.ok(big.raw.length > 32 * MiB);
  assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
  await stream.close();
});

Deno.test("the client reads only as fast as the consumer iterates (backpressure)", async () => {
  await using server = FakeCdcServer.start();
  const note = "x".repeat(MiB);
  const rows = Array.from(
    { length: 64 },
    (_, i) => ({ sequence: i + 1, values: { id: i + 1, note } }),
  );
  addOrders(server, rows); // 64 MiB in total.
  await using client = clientFor(server);
  const stream = client.requestData("shop", "orders");
  assert.equal((await stream.next()).value?.kind, "schema");
  assert.equal((await stream.next()).value?.kind, "row");
  const session = server.sessions[0];
  // The consumer pauses: the server fills the socket buffers, then its writes
  // block. Wait until its byte count has not moved for 250 ms.
  let stable = 0;
  let previous = -1;
  await waitUntil(
    () => {
      stable = session.bytesWritten === previous ? stable + 1 : 0;
      previous = session.bytesWritten;
      return stable >= 5;
    },
    20_000,
    "the server's writes to stall",
    50,
  );
  assert.ok(previous < 32 * MiB, `server wrote ${previous} bytes to a paused consumer`);
  // Resuming the iteration drains the rest.
  let count = 1;
  for await (const event of stream) {
    assert.equal(event.kind, "row");
    if (++count === 64) break;
  }
  assert.equal(count, 64);
});

Deno.test("a line over maxLineBytes fails the stream with a protocol error", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, [{ sequence: 1, values: { id: 1, note: "y".repeat(300_000) } }]);
  await using client = clientFor(server, { maxLineBytes: 100_000 });
  const stream = client.requestData("shop", "orders");
  assert.equal((await stream.next()).value?.kind, "schema");
  await assert.rejects(
    stream.next(),
    (error: Error) =>
      error instanceof CdcProtocolError &&
      error.message === "Line longer than the limit of 100000 bytes",
  );
  await waitUntil(() => server.sessions[0].closed);
});
