import assert from "node:assert/strict";
import { PolicyError } from "../../../src/proxy/policy.ts";
import { bytes, FakeSession, handshake, loadHandler, text } from "./_helpers.ts";

/**
 * A handler whose on_connect runs `body` (with `client` bound) and refuses
 * with the returned string, so tests can read values back as ERR messages.
 */
async function probe(body: string, prelude = "") {
  return await loadHandler(
    `{
      on_connect = function(client) local r = (function() ${body} end)()
        if r ~= nil then return client:err(tostring(r)) end end,
      on_handshake_response = function(client, h) return client:err("x") end,
    }`,
    prelude,
  );
}

async function connectMessage(
  policy: { onConnect(s: FakeSession): Promise<unknown> },
  session: FakeSession,
): Promise<string | null> {
  const verdict = await policy.onConnect(session) as { kind: string; message?: Uint8Array };
  return verdict.kind === "err" ? text(verdict.message!) : null;
}

Deno.test("pid, uid and gid come from the peer credentials, nil without them", async () => {
  const { config, policy } = await probe(
    "return tostring(client.pid) .. ' ' .. tostring(client.uid) .. ' ' .. tostring(client.gid)",
  );
  try {
    assert.equal(await connectMessage(policy, new FakeSession()), "4242 1000 100");
    assert.equal(await connectMessage(policy, new FakeSession(null)), "nil nil nil");
    // Fengari integers are 32-bit: a large uid must still arrive intact.
    const big = new FakeSession({ pid: 1, uid: 4294967294, gid: 2147483648 });
    assert.equal(await connectMessage(policy, big), "1 4294967294.0 2147483648.0");
  } finally {
    config.close();
  }
});

Deno.test("account is read/write; nil clears; empty and non-strings are errors", async () => {
  const { config, policy } = await probe(`
    local step = client.notes.step or 1
    client.notes.step = step + 1
    if step == 1 then client.account = "acme" return client.account end
    if step == 2 then client.account = nil return tostring(client.account) end
    if step == 3 then client.account = "" end
    if step == 4 then client.account = 42 end
  `);
  try {
    const session = new FakeSession();
    assert.equal(await connectMessage(policy, session), "acme");
    assert.deepEqual(session.account, bytes("acme"));
    assert.equal(await connectMessage(policy, session), "nil");
    assert.equal(session.account, null);
    await assert.rejects(
      policy.onConnect(session),
      (e: Error) =>
        e instanceof PolicyError &&
        /config\.lua:\d+: Invalid client.account: must not be empty \(use nil to clear\)$/.test(
          e.message,
        ),
    );
    await assert.rejects(
      policy.onConnect(session),
      /config\.lua:\d+: Invalid client.account: expected string or nil, got number$/,
    );
  } finally {
    config.close();
  }
});

Deno.test("account keeps arbitrary bytes", async () => {
  const { config, policy } = await probe(`client.account = "\\0\\xff"`);
  try {
    const session = new FakeSession();
    await policy.onConnect(session);
    assert.deepEqual(session.account, Uint8Array.of(0, 0xff));
  } finally {
    config.close();
  }
});

Deno.test("notes is one table per connection, kept across callbacks, not replaceable", async () => {
  const { config, policy } = await loadHandler(`{
    on_connect = function(client) client.notes.seen = "yes" end,
    on_handshake_response = function(client, h)
      if h.user == "replace" then client.notes = {} end
      return client:err(client.notes.seen or "none")
    end,
  }`);
  try {
    const a = new FakeSession();
    const b = new FakeSession();
    assert.deepEqual(await policy.onConnect(a), { kind: "accept" });
    const first = await policy.onHandshakeResponse(a, handshake("u", ""));
    assert.deepEqual(first, { kind: "err", message: bytes("yes") });
    const other = await policy.onHandshakeResponse(b, handshake("u", ""));
    assert.deepEqual(other, { kind: "err", message: bytes("none") });
    await assert.rejects(
      policy.onHandshakeResponse(a, handshake("replace", "")),
      /Cannot assign client.notes: add entries to the table instead$/,
    );
  } finally {
    config.close();
  }
});

Deno.test("server_version is read/write and must be a NUL-free UTF-8 string", async () => {
  const { config, policy } = await probe(`
    local v = client.notes.v
    client.notes.v = (v or 0) + 1
    if v == nil then local old = client.server_version client.server_version = "8.0.1-proxy" return old end
    if v == 1 then client.server_version = 8 end
    if v == 2 then client.server_version = "a\\0b" end
    if v == 3 then client.server_version = "\\xff" end
  `);
  try {
    const session = new FakeSession();
    assert.equal(await connectMessage(policy, session), "5.7.30");
    assert.equal(session.serverVersion, "8.0.1-proxy");
    await assert.rejects(policy.onConnect(session), /expected string, got number$/);
    await assert.rejects(policy.onConnect(session), /must not contain a NUL byte$/);
    await assert.rejects(policy.onConnect(session), /not valid UTF-8$/);
    assert.equal(session.serverVersion, "8.0.1-proxy");
  } finally {
    config.close();
  }
});

Deno.test("unknown attributes and read-only attributes are errors", async () => {
  const { config, policy } = await probe(`
    local what = client.notes.what
    client.notes.what = (what or 0) + 1
    if what == nil then return client.acount end
    if what == 1 then client.pid = 1 end
    if what == 2 then client.colour = "red" end
    if what == 3 then return client[1] end
  `);
  try {
    const session = new FakeSession();
    await assert.rejects(
      policy.onConnect(session),
      /config\.lua:\d+: Unknown client attribute "acount"$/,
    );
    await assert.rejects(
      policy.onConnect(session),
      /config\.lua:\d+: Cannot assign client.pid: read-only/,
    );
    await assert.rejects(
      policy.onConnect(session),
      /config\.lua:\d+: Unknown client attribute "colour"$/,
    );
    await assert.rejects(
      policy.onConnect(session),
      /config\.lua:\d+: Invalid client attribute: expected string key, got number$/,
    );
  } finally {
    config.close();
  }
});

Deno.test("the client object is stale after release and after the session closed", async () => {
  const { config, policy } = await loadHandler(
    `{
      on_connect = function(client) kept = client end,
      on_handshake_response = function(client, h)
        if h.user == "stale" then return client:err(tostring(pcall(function() return kept.pid end))
          .. " " .. select(2, pcall(function() return kept.pid end))
          .. " " .. tostring(kept)) end
        return client:err(tostring(kept == client))
      end,
    }`,
  );
  try {
    const a = new FakeSession();
    await policy.onConnect(a);
    assert.deepEqual(await policy.onHandshakeResponse(a, handshake("u", "")), {
      kind: "err",
      message: bytes("true"),
    });
    policy.release(a);
    const b = new FakeSession();
    const verdict = await policy.onHandshakeResponse(b, handshake("stale", ""));
    assert.equal(verdict.kind, "err");
    assert.match(
      text(verdict.kind === "err" ? verdict.message : null)!,
      /^false .*config\.lua:\d+: Stale object client \(stale\)$/,
    );

    const c = new FakeSession();
    await policy.onConnect(c);
    c.closed = true;
    await assert.rejects(policy.onHandshakeResponse(c, handshake("u", "")), /Stale object$/);
  } finally {
    config.close();
  }
});

Deno.test("methods called with a wrong self explain how to call them", async () => {
  const { config, policy } = await probe(`return client.err("x")`);
  try {
    await assert.rejects(
      policy.onConnect(new FakeSession()),
      /Expected a client object, got string \(use client:method\(\)\)$/,
    );
  } finally {
    config.close();
  }
});

Deno.test("tostring(client) shows the log prefix", async () => {
  const { config, policy } = await probe(`return tostring(client)`);
  try {
    assert.equal(await connectMessage(policy, new FakeSession()), "client pid=4242 uid=1000");
  } finally {
    config.close();
  }
});
