import assert from "node:assert/strict";
import {
  authenticationMessage,
  CdcAuthenticationError,
  CdcConnectionError,
  CdcProtocolError,
  CdcRegistrationError,
  CdcTimeoutError,
} from "../../../src/cdc/mod.ts";
import { FakeCdcServer } from "../../support/fake_cdc_server.ts";
import { addOrders, clientFor, describe, orderRows, take } from "../../support/cdc/fixtures.ts";

for (const blankLineAfterReplies of [false, true]) {
  const reply = blankLineAfterReplies ? "OK\\n\\n" : "OK\\n";
  Deno.test(`handshake succeeds against a server replying ${reply}`, async () => {
    await using server = FakeCdcServer.start({ blankLineAfterReplies });
    addOrders(server, orderRows(1, 2));
    await using client = clientFor(server, { uuid: "client-1" });
    const events = await take(client.requestData("shop", "orders"), 3);
    assert.deepEqual(describe(events), ["schema v1", "row 0-3000-1#1", "row 0-3000-2#1"]);
  });
}

Deno.test("each command is sent alone in one write, after the previous reply", async () => {
  await using server = FakeCdcServer.start({ blankLineAfterReplies: true });
  addOrders(server, orderRows(1, 1));
  await using client = clientFor(server, { uuid: "0123456789abcdef0123456789abcdef" });
  await take(client.requestData("shop", "orders", { version: 1, gtid: "0-3000-1" }), 1);
  // The fake treats each socket read as one command, like MaxScale.
  assert.deepEqual(server.sessions[0].commands, [
    authenticationMessage("maxuser", "maxpwd"),
    "REGISTER UUID=0123456789abcdef0123456789abcdef, TYPE=JSON",
    "REQUEST-DATA shop.orders.000001 0-3000-1",
  ]);
  assert.equal(server.sessions[0].uuid, "0123456789abcdef0123456789abcdef");
});

for (const [user, password] of [["maxuser", "wrong"], ["nobody", "maxpwd"]]) {
  Deno.test(`authentication failure (${user}/${password}) carries the server's exact text`, async () => {
    await using server = FakeCdcServer.start();
    addOrders(server);
    await using client = clientFor(server, { user, password });
    await assert.rejects(take(client.requestData("shop", "orders"), 1), (error: Error) => {
      assert.ok(error instanceof CdcAuthenticationError);
      assert.equal(error.serverMessage, "ERROR: Authentication failed");
      assert.equal(
        error.message,
        'Authentication failed: server replied "ERROR: Authentication failed"',
      );
      return true;
    });
    await server.sessions[0].done;
    assert.equal(server.sessions[0].commands.length, 1);
  });
}

for (const blankLineAfterReplies of [false, true]) {
  Deno.test(`registration failure carries the server's exact text (blank line: ${blankLineAfterReplies})`, async () => {
    const text = "ERR, code 12, msg: Registration failed";
    await using server = FakeCdcServer.start({
      faults: () => ({
        replies: { register: blankLineAfterReplies ? `${text}\n\n` : `${text}\n` },
      }),
    });
    addOrders(server);
    await using client = clientFor(server);
    await assert.rejects(take(client.requestData("shop", "orders"), 1), (error: Error) => {
      assert.ok(error instanceof CdcRegistrationError);
      assert.equal(error.serverMessage, text);
      assert.equal(error.message, `Registration failed: server replied "${text}"`);
      return true;
    });
  });
}

Deno.test("a server silent after login fails with the read timeout", async () => {
  await using server = FakeCdcServer.start({ faults: () => ({ silentAt: "register" }) });
  addOrders(server);
  await using client = clientFor(server, { readTimeout: 100 });
  const started = performance.now();
  await assert.rejects(take(client.requestData("shop", "orders"), 1), (error: Error) => {
    assert.ok(error instanceof CdcTimeoutError);
    assert.equal(error.kind, "read");
    assert.equal(error.timeoutMs, 100);
    assert.equal(error.message, `No reply from "${server.address}" within readTimeout (100 ms)`);
    return true;
  });
  assert.ok(performance.now() - started < 1500);
});

Deno.test("a hang-up without reply during registration is a connection error", async () => {
  await using server = FakeCdcServer.start({ faults: () => ({ replies: { register: null } }) });
  addOrders(server);
  await using client = clientFor(server);
  await assert.rejects(
    take(client.requestData("shop", "orders"), 1),
    (error: Error) =>
      error instanceof CdcConnectionError &&
      error.message === "Connection closed by the server during registration, without a reply",
  );
});

Deno.test("a registration reply other than OK or ERR is a protocol error", async () => {
  await using server = FakeCdcServer.start({ faults: () => ({ replies: { register: "OKAY\n" } }) });
  addOrders(server);
  await using client = clientFor(server);
  await assert.rejects(take(client.requestData("shop", "orders"), 1), (error: Error) => {
    assert.ok(error instanceof CdcProtocolError);
    assert.equal(error.message, 'Unexpected reply to registration: "OKAY"');
    assert.equal(error.line, "OKAY");
    return true;
  });
});
