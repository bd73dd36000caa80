import assert from "node:assert/strict";
import { FakeSession, handshake, loadFailure, loadHandler, text } from "./_helpers.ts";

Deno.test("mysql_resolve parses numeric addresses without the resolver", async () => {
  let calls = 0;
  const { config, policy } = await loadHandler(
    `{ on_handshake_response = function(client, h)
         return client:err(table.concat({ tostring(a), tostring(b), tostring(c), tostring(d),
           tostring(a == mysql_resolve('192.168.0.2:3306')), tostring(a == b) }, " "))
       end }`,
    `a = mysql_resolve('192.168.0.2')
     b = mysql_resolve('[::1]:4321')
     c = mysql_resolve('/run/server5.sock')
     d = mysql_resolve('@server4')`,
    { resolveAddress: () => (calls++, Promise.reject(new Error("unexpected"))) },
  );
  try {
    const verdict = await policy.onHandshakeResponse(new FakeSession(), handshake("u", ""));
    assert.equal(
      verdict.kind === "err" && text(verdict.message),
      "192.168.0.2:3306 [::1]:4321 /run/server5.sock @server4 true false",
    );
    assert.equal(calls, 0);
  } finally {
    config.close();
  }
});

Deno.test("mysql_resolve asks the resolver for host names (suspending the caller)", async () => {
  const asked: string[] = [];
  const { config, policy } = await loadHandler(
    `{ on_handshake_response = function(client, h) return client:connect(server, h) end }`,
    "server = mysql_resolve('server1.local:1234')",
    {
      resolveAddress: async (text) => {
        asked.push(text);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { family: "inet", host: "10.1.2.3", port: 1234 };
      },
    },
  );
  try {
    const verdict = await policy.onHandshakeResponse(new FakeSession(), handshake("u", ""));
    assert.deepEqual(verdict.kind === "connect" && verdict.target, {
      family: "inet",
      host: "10.1.2.3",
      port: 1234,
    });
    assert.deepEqual(asked, ["server1.local:1234"]);
  } finally {
    config.close();
  }
});

Deno.test("mysql_resolve reports bad syntax and resolver failures with file:line", async () => {
  const bad = await loadFailure("mysql_resolve('[::1')");
  assert.equal(bad.error.message, `${bad.path}:1: Missing "]" in address "[::1"`);
  const missing = await loadFailure("\nmysql_resolve('no-such-host.invalid')");
  assert.match(
    missing.error.message,
    new RegExp(`^${missing.path}:2: Cannot resolve "no-such-host.invalid": `),
  );
});

Deno.test("SocketAddress objects are opaque and protected", async () => {
  const { config, policy } = await loadHandler(
    `{ on_handshake_response = function(client, h)
         return client:err(tostring(getmetatable(a)) .. " " .. tostring(pcall(function() return a.host end)))
       end }`,
    "a = mysql_resolve('127.0.0.1')",
  );
  try {
    const verdict = await policy.onHandshakeResponse(new FakeSession(), handshake("u", ""));
    assert.equal(verdict.kind === "err" && text(verdict.message), "SocketAddress false");
  } finally {
    config.close();
  }
});
