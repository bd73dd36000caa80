import assert from "node:assert/strict";
import { CdcClient, CdcClosedError } from "../../../src/cdc/mod.ts";
import { blackhole } from "../../support/cdc/blackhole.ts";
import { FakeCdcServer, waitUntil } from "../../support/fake_cdc_server.ts";
import { addOrders, clientFor, describe, orderRows, take } from "../../support/cdc/fixtures.ts";

const DONE = { done: true, value: undefined };

Deno.test("close() before any iteration opens nothing and can be repeated", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server);
  const client = clientFor(server);
  const stream = client.requestData("shop", "orders");
  await stream.close();
  await stream.close();
  await Promise.all([client.close(), client.close()]);
  assert.deepEqual(await stream.next(), DONE);
  assert.equal(server.sessions.length, 0);
  assert.ok(client.closed);
});

Deno.test("close() during a connect that hangs ends the pending next() at once", async () => {
  await using hole = await blackhole();
  const client = new CdcClient({
    address: hole.address,
    user: "u",
    password: "p",
    dialTimeout: 60_000,
  });
  const stream = client.requestData("db", "t");
  const next = stream.next();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  await client.close();
  assert.deepEqual(await next, DONE);
  assert.ok(performance.now() - started < 500);
});

for (const silentAt of ["auth", "register", "request"] as const) {
  Deno.test(`close() while waiting for the ${silentAt} reply ends the stream and the socket`, async () => {
    await using server = FakeCdcServer.start({ faults: () => ({ silentAt }) });
    addOrders(server, orderRows(1, 1));
    await using client = clientFor(server, { readTimeout: 60_000 });
    const stream = client.requestData("shop", "orders");
    const next = stream.next();
    await server.waitForSessions(1);
    await waitUntil(() => server.sessions[0].state === "waiting");
    await stream.close();
    assert.deepEqual(await next, DONE);
    await waitUntil(() => server.sessions[0].closed);
  });
}

Deno.test("close() from another task while next() waits for rows ends it as done", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 1));
  await using client = clientFor(server);
  const stream = client.requestData("shop", "orders");
  await stream.next();
  await stream.next();
  const next = stream.next();
  setTimeout(() => stream.close(), 30);
  assert.deepEqual(await next, DONE);
  await stream.close();
  await waitUntil(() => server.sessions[0].closed);
});

Deno.test("leaving a for-await loop closes the connection", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 5));
  await using client = clientFor(server);
  assert.deepEqual(describe(await take(client.requestData("shop", "orders"), 2)), [
    "schema v1",
    "row 0-3000-1#1",
  ]);
  await waitUntil(() => server.sessions[0].closed);
});

Deno.test("client.close() closes every open stream", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 1));
  const client = clientFor(server);
  const streams = [client.requestData("shop", "orders"), client.requestData("shop", "orders")];
  for (const stream of streams) await stream.next();
  const pending = streams.map((stream) => stream.next().then(() => stream.next()));
  await client.close();
  assert.deepEqual(await Promise.all(pending), [DONE, DONE]);
  await waitUntil(() => server.sessions.every((session) => session.closed));
  assert.throws(() => client.requestData("shop", "orders"), CdcClosedError);
});

Deno.test("the client signal cancels a hanging connect with its reason", async () => {
  await using hole = await blackhole();
  const controller = new AbortController();
  await using client = new CdcClient({
    address: hole.address,
    user: "u",
    password: "p",
    dialTimeout: 60_000,
    signal: controller.signal,
  });
  const next = client.requestData("db", "t").next();
  setTimeout(() => controller.abort(new Error("shutting down")), 50);
  await assert.rejects(next, /shutting down/);
});

Deno.test("the client signal cancels a stream with its reason and closes the socket", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 1));
  const controller = new AbortController();
  await using client = clientFor(server, { signal: controller.signal });
  const stream = client.requestData("shop", "orders");
  await stream.next();
  await stream.next();
  const next = stream.next();
  controller.abort();
  await assert.rejects(next, (error: Error) => error.name === "AbortError");
  await waitUntil(() => server.sessions[0].closed);
  assert.deepEqual(await stream.next(), DONE);
});

Deno.test("an already aborted signal fails the first next() without connecting", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server);
  await using client = clientFor(server, { signal: AbortSignal.abort(new Error("too late")) });
  await assert.rejects(client.requestData("shop", "orders").next(), /too late/);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(server.sessions.length, 0);
});

Deno.test("a request signal cancels its stream only", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 1));
  await using client = clientFor(server);
  const controller = new AbortController();
  const cancelled = client.requestData("shop", "orders", { signal: controller.signal });
  const other = client.requestData("shop", "orders");
  await cancelled.next();
  await other.next();
  controller.abort(new Error("this one"));
  await assert.rejects(cancelled.next(), /this one/);
  assert.equal((await other.next()).value?.kind, "row");
});

Deno.test("await using closes client and streams", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 1));
  {
    await using client = clientFor(server);
    await using stream = client.requestData("shop", "orders");
    await stream.next();
  }
  await waitUntil(() => server.sessions[0].closed);
});
