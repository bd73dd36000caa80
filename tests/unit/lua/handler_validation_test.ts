import assert from "node:assert/strict";
import { ConfigError } from "../../../src/lua/mod.ts";
import { bytes, FakeSession, handshake, loadFailure, loadSource } from "./_helpers.ts";

const CONNECT = "function(c, h) return c:connect('127.0.0.1', h) end";

async function listenFailure(handler: string): Promise<string> {
  const { path, error } = await loadFailure(`mysql_listen('/tmp/a.sock', ${handler})`);
  assert.ok(error instanceof ConfigError, String(error));
  assert.ok(error.message.startsWith(`${path}:1: `), error.message);
  return error.message.slice(`${path}:1: `.length);
}

Deno.test("mysql_listen() requires on_handshake_response", async () => {
  assert.equal(
    await listenFailure("{ on_connect = function() end }"),
    'Missing handler "on_handshake_response" in mysql_listen() handler',
  );
});

Deno.test("mysql_listen() rejects unknown handler keys by name", async () => {
  assert.equal(
    await listenFailure(`{ on_handshake_response = ${CONNECT}, on_conect = function() end }`),
    'Unknown handler "on_conect" in mysql_listen() handler',
  );
});

Deno.test("mysql_listen() rejects handlers that are not functions", async () => {
  assert.equal(
    await listenFailure(`{ on_handshake_response = ${CONNECT}, on_init_db = "x" }`),
    'Invalid handler "on_init_db" in mysql_listen() handler: expected function, got string',
  );
  assert.equal(
    await listenFailure(`{ on_handshake_response = true }`),
    'Invalid handler "on_handshake_response" in mysql_listen() handler: ' +
      "expected function, got boolean",
  );
});

Deno.test("mysql_listen() rejects non-string keys and non-table handlers", async () => {
  assert.equal(
    await listenFailure(`{ ${CONNECT} }`),
    "Invalid key in mysql_listen() handler: expected string, got number",
  );
  assert.equal(
    await listenFailure(`nil`),
    "Invalid handler for mysql_listen(): expected table, got nil",
  );
});

Deno.test("handlers are captured at mysql_listen() time", async () => {
  const { config } = await loadSource(`
    local h = { on_handshake_response = function(c) return c:err("first") end }
    mysql_listen('/tmp/a.sock', h)
    h.on_handshake_response = function(c) return c:err("second") end
    h.on_init_db = function(c) return c:err("late") end
  `);
  try {
    const policy = config.listeners[0].policy;
    assert.equal(policy.handlesInitDb, false);
    const verdict = await policy.onHandshakeResponse(new FakeSession(), handshake("u", "p"));
    assert.deepEqual(verdict, { kind: "err", message: bytes("first") });
  } finally {
    config.close();
  }
});

Deno.test("handlesInitDb is true iff on_init_db is defined", async () => {
  const { config } = await loadSource(`
    mysql_listen('/tmp/a.sock', { on_handshake_response = ${CONNECT} })
    mysql_listen('/tmp/b.sock', { on_handshake_response = ${CONNECT}, on_init_db = ${CONNECT} })
  `);
  config.close();
  assert.deepEqual(config.listeners.map((l) => l.policy.handlesInitDb), [false, true]);
});
