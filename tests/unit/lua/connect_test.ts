import assert from "node:assert/strict";
import { bytes, FakeSession, handshake, loadHandler } from "./_helpers.ts";

/** Runs `client:connect(<args>)` in on_handshake_response with `h` = the client's table. */
async function connectWith(args: string, prelude = "") {
  const { config, policy } = await loadHandler(
    `{ on_handshake_response = function(client, h) return client:connect(${args}) end }`,
    prelude,
  );
  try {
    return await policy.onHandshakeResponse(new FakeSession(), handshake("u", "pw", "db"));
  } finally {
    config.close();
  }
}

async function connectError(args: string, prelude = ""): Promise<string> {
  try {
    await connectWith(args, prelude);
  } catch (error) {
    const message = (error as Error).message;
    const match = /config\.lua:\d+: (.*)$/s.exec(message);
    assert.ok(match, message);
    return match[1];
  }
  throw new Error("client:connect() succeeded unexpectedly");
}

Deno.test("connect accepts numeric address strings and SocketAddress objects", async () => {
  const fromString = await connectWith("'[::1]:3307', h");
  assert.equal(fromString.kind, "connect");
  assert.deepEqual(fromString.kind === "connect" && fromString.target, {
    family: "inet6",
    host: "::1",
    port: 3307,
  });
  const fromObject = await connectWith("a, h", "a = mysql_resolve('@mysqld')");
  assert.deepEqual(fromObject.kind === "connect" && fromObject.target, {
    family: "abstract",
    name: "mysqld",
  });
});

Deno.test("connect with a host name string says to use mysql_resolve at startup", async () => {
  assert.equal(
    await connectError("'db1:3306', h"),
    'Cannot connect to "db1:3306": host names must be resolved at startup with ' +
      'mysql_resolve("db1:3306")',
  );
});

Deno.test("connect rejects addresses of other types", async () => {
  assert.equal(
    await connectError("{}, h"),
    "Invalid address for client:connect(): expected SocketAddress or string, got table",
  );
  assert.equal(
    await connectError("systemd, h"),
    "Invalid address for client:connect(): expected SocketAddress or string, got userdata",
  );
  assert.equal(await connectError("'1.2.3.4:0x', h"), 'Invalid port in address "1.2.3.4:0x"');
});

Deno.test("handshake_response: user is required, unknown keys and wrong types are errors", async () => {
  assert.equal(
    await connectError("'127.0.0.1', {password = 'x'}"),
    'Missing field "user" in handshake_response',
  );
  assert.equal(
    await connectError("'127.0.0.1', {user = 'u', passwd = 'x'}"),
    'Unknown field "passwd" in handshake_response',
  );
  assert.equal(
    await connectError("'127.0.0.1', {user = 1}"),
    'Invalid field "user" in handshake_response: expected string, got number',
  );
  assert.equal(
    await connectError("'127.0.0.1', 'u'"),
    "Invalid handshake_response for client:connect(): expected table, got string",
  );
});

Deno.test("password_sha1 must be exactly 20 raw bytes", async () => {
  assert.equal(
    await connectError("'127.0.0.1', {user = 'u', password_sha1 = string.rep('ab', 20)}"),
    'Invalid field "password_sha1" in handshake_response: expected 20 raw bytes ' +
      "(a SHA1 digest, not hex), got 40",
  );
  const digest = "\\x01\\x23" + "\\x00".repeat(18);
  const verdict = await connectWith(`'127.0.0.1', {user = 'u', password_sha1 = "${digest}"}`);
  assert.deepEqual(verdict.kind === "connect" && verdict.credentials, {
    user: bytes("u"),
    password: null,
    passwordSha1: Uint8Array.of(1, 0x23, ...new Array(18).fill(0)),
    database: null,
  });
});

Deno.test("connect options: read_only must be boolean, unknown options are errors", async () => {
  const verdict = await connectWith("'127.0.0.1', h, {read_only = true}");
  assert.equal(verdict.kind === "connect" && verdict.readOnly, true);
  const none = await connectWith("'127.0.0.1', h, nil");
  assert.equal(none.kind === "connect" && none.readOnly, false);
  assert.equal(
    await connectError("'127.0.0.1', h, {read_only = 'yes'}"),
    'Cannot apply option "read_only": expected boolean, got string',
  );
  assert.equal(
    await connectError("'127.0.0.1', h, {readonly = true}"),
    'Unknown option "readonly" in client:connect() options',
  );
  assert.equal(
    await connectError("'127.0.0.1', h, true"),
    "Invalid options for client:connect(): expected table, got boolean",
  );
});

Deno.test("the verdict is a snapshot: later changes to the table do not leak in", async () => {
  const { config, policy } = await loadHandler(`{
    on_handshake_response = function(client, h)
      local action = client:connect('127.0.0.1', h)
      h.user = "changed"
      return action
    end,
  }`);
  try {
    const verdict = await policy.onHandshakeResponse(new FakeSession(), handshake("u", "pw"));
    assert.deepEqual(verdict.kind === "connect" && verdict.credentials.user, bytes("u"));
  } finally {
    config.close();
  }
});

Deno.test("err and init_db need a string argument", async () => {
  assert.match(
    await connectError("'127.0.0.1', h) and client:err(nil"),
    /bad argument #1 to 'err'/,
  );
  const { config, policy } = await loadHandler(`{
    on_handshake_response = function(client, h) return client:err("x") end,
    on_init_db = function(client, name) return client:init_db({}) end,
  }`);
  try {
    await assert.rejects(
      policy.onInitDb(new FakeSession(), bytes("x")),
      /bad argument #1 to 'init_db' \(string expected, got table\)$/,
    );
  } finally {
    config.close();
  }
});
