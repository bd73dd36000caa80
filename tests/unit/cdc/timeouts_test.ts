import assert from "node:assert/strict";
import { CdcTimeoutError } from "../../../src/cdc/mod.ts";
import { FakeCdcServer, waitUntil } from "../../support/fake_cdc_server.ts";
import { addOrders, clientFor, describe, orderRows } from "../../support/cdc/fixtures.ts";

function isTimeout(kind: string, ms: number) {
  return (error: Error) => {
    assert.ok(error instanceof CdcTimeoutError, String(error));
    assert.equal(error.kind, kind);
    assert.equal(error.timeoutMs, ms);
    return true;
  };
}

Deno.test("a server silent after REQUEST-DATA fails with the read timeout", async () => {
  await using server = FakeCdcServer.start({ faults: () => ({ silentAt: "request" }) });
  addOrders(server, orderRows(1, 1));
  await using client = clientFor(server, { readTimeout: 100 });
  await assert.rejects(client.requestData("shop", "orders").next(), isTimeout("read", 100));
  await waitUntil(() => server.sessions[0].closed);
});

Deno.test("a line that stops half-way fails with the read timeout, not the idle timeout", async () => {
  await using server = FakeCdcServer.start({ faults: () => ({ stallMidLineAtRow: 2 }) });
  addOrders(server, orderRows(1, 3));
  await using client = clientFor(server, { readTimeout: 100 });
  const stream = client.requestData("shop", "orders");
  assert.deepEqual(describe([(await stream.next()).value!, (await stream.next()).value!]), [
    "schema v1",
    "row 0-3000-1#1",
  ]);
  await assert.rejects(stream.next(), (error: Error) => {
    isTimeout("read", 100)(error);
    assert.equal(
      error.message,
      `Line from "${server.address}" stopped half-way: no data within readTimeout (100 ms)`,
    );
    return true;
  });
});

Deno.test("a stream silent between lines fails with the idle timeout", async () => {
  await using server = FakeCdcServer.start({ faults: () => ({ silentAfterRows: 1 }) });
  addOrders(server, orderRows(1, 3));
  await using client = clientFor(server, { idleTimeout: 150, readTimeout: 10_000 });
  const stream = client.requestData("shop", "orders");
  await stream.next();
  await stream.next();
  const started = performance.now();
  await assert.rejects(stream.next(), (error: Error) => {
    isTimeout("idle", 150)(error);
    assert.equal(error.message, `No data from "${server.address}" within idleTimeout (150 ms)`);
    return true;
  });
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 140 && elapsed < 2000, `${elapsed} ms`);
  await waitUntil(() => server.sessions[0].closed);
});

Deno.test("without an idle timeout a quiet table is not an error", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 1));
  await using client = clientFor(server, { readTimeout: 50 });
  const stream = client.requestData("shop", "orders");
  await stream.next();
  await stream.next();
  const next = stream.next();
  await new Promise((resolve) => setTimeout(resolve, 200)); // Four read timeouts of silence.
  server.addRows("shop", "orders", orderRows(2, 2));
  assert.deepEqual(describe([(await next).value!]), ["row 0-3000-2#1"]);
  await stream.close();
});

Deno.test("timeouts must be positive numbers of milliseconds", () => {
  for (const option of ["dialTimeout", "readTimeout", "writeTimeout", "idleTimeout"]) {
    for (const value of [0, -1, NaN, "5" as unknown as number]) {
      assert.throws(
        () => clientFor({ address: "127.0.0.1:1" } as FakeCdcServer, { [option]: value }),
        new RegExp(`^CdcArgumentError: Cannot use option "${option}": expected a positive number`),
      );
    }
  }
});
