/**
 * Hostile and broken clients: random and truncated HandshakeResponses,
 * random command packets, unframed garbage. None of it may crash the proxy or
 * disturb a well-behaved connection that is open at the same time.
 */

import assert from "node:assert/strict";
import { acceptLogin, startFakeMysqlServer } from "../support/fake_mysql_server.ts";
import { startProxy } from "../support/proxy_process.ts";
import { errorOf, RAW_CLIENT_CAPS, RawMysqlClient } from "../support/raw_mysql.ts";
import { buildHandshakeResponse } from "../../src/mysql/handshake.ts";
import { framePackets } from "../../src/mysql/writer.ts";
import { Command } from "../../src/mysql/constants.ts";

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

function randomBytes(next: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(next() * 256));
}

const validResponse = buildHandshakeResponse({
  capabilities: RAW_CLIENT_CAPS,
  maxPacketSize: 0x1000000,
  charset: 0x21,
  user: "native",
  authResponse: new TextEncoder().encode("pw\0"),
  database: null,
  authPluginName: "mysql_clear_password",
});

/**
 * Connects, reads the greeting and sends `bytes`. With `expectAnswer` (a whole
 * frame was sent) it waits until the proxy answers or closes; otherwise the
 * proxy may rightly wait for the rest, and the client just hangs up.
 */
async function hostile(port: number, bytes: Uint8Array, expectAnswer: boolean): Promise<void> {
  const client = await RawMysqlClient.connect(port);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await client.read(); // greeting
    await client.writeRaw(bytes).catch(() => {});
    if (!expectAnswer) return;
    // An ERR, a login to the fake backend, or a close: any will do, as long as it comes.
    await Promise.race([
      client.read().catch(() => null),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("proxy hung")), 10_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

Deno.test("bad input never crashes the proxy or disturbs other connections", async () => {
  // The backend accepts any login and answers every command with OK.
  await using backend = await startFakeMysqlServer(async (conn) => {
    await acceptLogin(conn);
    for (;;) {
      const packet = await conn.readPacket().catch(() => null);
      if (!packet) return;
      await conn.sendOk(packet.lastSequenceId + 1);
    }
  });
  const port = (backend.address as { port: number }).port;
  await using proxy = await startProxy(`
local handler = {}
function handler.on_handshake_response(client, hr)
  return client:connect('127.0.0.1:${port}', hr)
end
mysql_listen('127.0.0.1:$PORT', handler)
`);

  using bystander = await RawMysqlClient.connect(proxy.port);
  assert.equal(errorOf(await bystander.login("bystander", "pw")), null);
  const next = random(42);

  // Every truncation of a valid HandshakeResponse, framed with its true length.
  for (let length = 0; length < validResponse.length; length++) {
    await hostile(proxy.port, framePackets(1, validResponse.subarray(0, length)), true);
  }
  // Random payloads as HandshakeResponse, and random unframed bytes.
  for (let i = 0; i < 60; i++) {
    await hostile(proxy.port, framePackets(1, randomBytes(next, Math.floor(next() * 120))), true);
    await hostile(proxy.port, randomBytes(next, 1 + Math.floor(next() * 64)), false);
  }
  // A header announcing a huge HandshakeResponse.
  await hostile(proxy.port, new Uint8Array([0xff, 0xff, 0xff, 1, 0, 0]), false);

  // Logged-in clients sending random command packets and truncated frames.
  for (let i = 0; i < 30; i++) {
    const client = await RawMysqlClient.connect(proxy.port);
    try {
      assert.equal(errorOf(await client.login("fuzz", "pw")), null);
      const payload = randomBytes(next, 1 + Math.floor(next() * 200));
      if (payload[0] === Command.QUIT) payload[0] = Command.QUERY;
      const framed = framePackets(0, payload);
      await client.writeRaw(i % 2 === 0 ? framed : framed.subarray(0, 2 + (i % framed.length)));
    } finally {
      client.close();
    }
  }

  // The bystander still works, a new login works, and the process lives.
  await bystander.send(0, new Uint8Array([Command.PING]));
  assert.equal(errorOf((await bystander.read())!), null);
  using late = await RawMysqlClient.connect(proxy.port);
  assert.equal(errorOf(await late.login("late", "pw")), null);
  assert.equal(proxy.child.exited(), false);
  assert.doesNotMatch(await proxy.log(), /Uncaught|panicked/);
});
