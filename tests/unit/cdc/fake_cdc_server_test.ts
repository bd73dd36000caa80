/**
 * The fake CDC server itself, over a raw socket: its replies must be
 * MaxScale's, byte for byte, or the client tests prove nothing.
 */

import assert from "node:assert/strict";
import { authenticationMessage } from "../../../src/cdc/auth.ts";
import { FakeCdcServer, waitUntil } from "../../support/fake_cdc_server.ts";
import { addOrders, orderRows } from "../../support/cdc/fixtures.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A raw connection: send one command per write, read what arrives. */
async function raw(server: FakeCdcServer) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const buffer = new Uint8Array(1 << 16);
  let received = "";
  return {
    conn,
    send: (text: string) => conn.write(encoder.encode(text)),
    /** Reads until `received` contains `expected` (or EOF), returns and clears it. */
    async until(expected: string): Promise<string> {
      while (!received.includes(expected)) {
        const count = await conn.read(buffer);
        if (count === null) break;
        received += decoder.decode(buffer.subarray(0, count));
      }
      const text = received;
      received = "";
      return text;
    },
    /** Reads to EOF. */
    async rest(): Promise<string> {
      let text = received;
      for (let count = await conn.read(buffer); count !== null; count = await conn.read(buffer)) {
        text += decoder.decode(buffer.subarray(0, count));
      }
      return text;
    },
  };
}

const LOGIN = authenticationMessage("maxuser", "maxpwd");

Deno.test("fake: login, register and the error replies are MaxScale's exact strings", async () => {
  await using server = FakeCdcServer.start();
  const a = await raw(server);
  await a.send(LOGIN);
  assert.equal(await a.until("\n"), "OK\n");
  await a.send("REGISTER UUID=abc, TYPE=JSON");
  assert.equal(await a.until("\n"), "OK\n");
  await a.send("REQUEST-DATA");
  assert.equal(await a.until("\n"), "ERR REQUEST-DATA with no data.\n");
  await a.send("REQUEST-DATA shop");
  assert.equal(await a.until("\n"), "ERR NO-FILE Filename not specified.\n");
  await a.send("REQUEST-DATA shop.orders.3");
  assert.equal(await a.until("\n"), "ERR NO-FILE File 'shop.orders.3.avro' not found.\n");
  a.conn.close();

  const b = await raw(server);
  await b.send(authenticationMessage("maxuser", "nope"));
  assert.equal(await b.rest(), "ERROR: Authentication failed\n");
  b.conn.close();

  const c = await raw(server);
  await c.send(LOGIN);
  await c.until("\n");
  await c.send("REGISTER UUID=abc, TYPE=AVRO-ish");
  assert.equal(await c.rest(), "ERR, code 12, msg: Registration failed\n");
  c.conn.close();
});

Deno.test("fake: two commands in one read are one (bad) command", async () => {
  await using server = FakeCdcServer.start();
  const a = await raw(server);
  await a.send(`${LOGIN}REGISTER UUID=abc, TYPE=JSON`);
  assert.equal(await a.rest(), "ERROR: Authentication failed\n");
  a.conn.close();
});

Deno.test("fake: replies end with a blank line like MaxScale 23.08 when asked", async () => {
  await using server = FakeCdcServer.start({ blankLineAfterReplies: true });
  const a = await raw(server);
  await a.send(LOGIN);
  assert.equal(await a.until("\n\n"), "OK\n\n");
  a.conn.close();
});

Deno.test("fake: streaming answers other commands with ERR plus NUL, and CLOSE closes", async () => {
  await using server = FakeCdcServer.start();
  addOrders(server, orderRows(1, 1));
  const a = await raw(server);
  await a.send(LOGIN);
  await a.until("\n");
  await a.send("REGISTER UUID=0123456789012345678901234567890123456789, TYPE=JSON");
  await a.until("\n");
  await a.send("REQUEST-DATA shop.orders.000001 0-3000-1");
  const stream = await a.until('"note": "order 1"}\n');
  assert.match(stream, /^\{"namespace":"MaxScaleChangeDataSchema\.avro","type":"record"/);
  assert.match(stream, /\n\{"domain": 0, "server_id": 3000, "sequence": 1, "event_number": 1, /);
  await a.send("HELLO");
  assert.equal(await a.until("\0"), "ERR: Unknown command\0");
  await a.send("CLOSE");
  assert.equal(await a.rest(), "");
  await waitUntil(() => server.sessions[0].closed);
  assert.equal(server.sessions[0].uuid, "01234567890123456789012345678901", "cut at 32 characters");
  a.conn.close();
});
