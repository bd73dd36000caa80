import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../../src/lua/mod.ts";
import { tempDir } from "../../support/tmp.ts";
import { FakeSession, loadFailure, loadSource, MINIMAL_HANDLER, recordingLog } from "./_helpers.ts";

Deno.test("a configuration without mysql_listen() is refused", async () => {
  const { path, error } = await loadFailure("x = 1");
  assert.ok(error instanceof ConfigError);
  assert.equal(error.name, "ConfigError");
  assert.equal(error.message, `No mysql_listen() in "${path}"`);
});

Deno.test("a syntax error names file and line", async () => {
  const { path, error } = await loadFailure("x = 1\n\nif then\n");
  assert.ok(error instanceof ConfigError);
  assert.match(error.message, new RegExp(`^${path}:3: `));
});

Deno.test("a run-time error names file and line and keeps the Lua error as cause", async () => {
  const { path, error } = await loadFailure("local t\n\nprint(t.x)\n");
  assert.ok(error instanceof ConfigError);
  assert.equal(error.message, `${path}:3: attempt to index a nil value (local 't')`);
  assert.equal((error.cause as Error).name, "LuaError");
});

Deno.test("a non-string error object still names the file", async () => {
  const { path, error } = await loadFailure("error({})");
  assert.equal(error.message, `${path}: (error object is a table value)`);
});

Deno.test("an unreadable file is a ConfigError with the cause", async () => {
  await assert.rejects(loadConfig("/nonexistent/myproxy.lua"), (error: Error) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /^Cannot read "\/nonexistent\/myproxy.lua": /);
    assert.ok(error.cause instanceof Deno.errors.NotFound);
    return true;
  });
});

Deno.test("a binary chunk is refused", async () => {
  await using dir = await tempDir("lua");
  const path = `${dir.path}/config.lua`;
  await Deno.writeFile(path, Uint8Array.of(0x1b, 0x4c, 0x75, 0x61, 0x53, 0x00));
  await assert.rejects(loadConfig(path), /attempt to load a binary chunk/);
});

Deno.test("a #! first line is skipped and line numbers stay right", async () => {
  const { path, error } = await loadFailure("#!/usr/bin/env myproxy\nerror('boom')\n");
  assert.equal(error.message, `${path}:2: boom`);
});

Deno.test("listen addresses: paths, abstract names, TCP and systemd", async () => {
  const { config } = await loadSource(`
    h = ${MINIMAL_HANDLER}
    mysql_listen('/run/myproxy/test.sock', h)
    mysql_listen('@myproxy', h)
    mysql_listen('127.0.0.1:3307', h)
    mysql_listen('[::1]', h)
    mysql_listen('*:3308', h)
    mysql_listen(systemd, h)
    mysql_listen(mysql_resolve('10.0.0.1:33'), h)
  `);
  try {
    assert.deepEqual(config.listeners.map((l) => l.address), [
      { family: "unix", path: "/run/myproxy/test.sock" },
      { family: "abstract", name: "myproxy" },
      { family: "inet", host: "127.0.0.1", port: 3307 },
      { family: "inet6", host: "::1", port: 3306 },
      { family: "inet6", host: "::", port: 3308 },
      "systemd",
      { family: "inet", host: "10.0.0.1", port: 33 },
    ]);
  } finally {
    config.close();
  }
});

Deno.test('systemd is a sentinel, not the string "systemd"', async () => {
  const { path, error } = await loadFailure(`assert(systemd ~= "systemd")
    assert(tostring(systemd) == "systemd")
    mysql_listen("systemd", ${MINIMAL_HANDLER})`);
  assert.equal(
    error.message,
    `${path}:3: Invalid address for mysql_listen(): "systemd" is a host name; ` +
      "listen on a numeric address, a path or an @abstract name",
  );
});

Deno.test("invalid listen addresses are errors with file and line", async () => {
  for (
    const [address, message] of [
      ["''", "Empty address"],
      ["'1.2.3.4:99999'", 'Invalid port in address "1.2.3.4:99999"'],
      [
        "42",
        "Invalid address for mysql_listen(): expected string, SocketAddress or systemd, got number",
      ],
    ]
  ) {
    const { path, error } = await loadFailure(`mysql_listen(${address}, ${MINIMAL_HANDLER})`);
    assert.equal(error.message, `${path}:1: ${message}`);
  }
});

Deno.test("setup-only globals are gone after the configuration ran", async () => {
  const { config } = await loadSource(`
    keep = mysql_listen
    mysql_listen('/tmp/a.sock', {
      on_handshake_response = function(c, h)
        local ok, message = pcall(keep, '/tmp/b.sock', {})
        return c:err(tostring(mysql_listen) .. " " .. tostring(ok) .. " " .. message)
      end,
    })
  `);
  try {
    const verdict = await config.listeners[0].policy.onHandshakeResponse(
      new FakeSession(),
      { user: new Uint8Array(), password: new Uint8Array(), database: null },
    );
    assert.equal(verdict.kind, "err");
    assert.match(
      new TextDecoder().decode(verdict.kind === "err" ? verdict.message : undefined),
      /^nil false .*mysql_listen\(\) is only available while the configuration loads$/,
    );
  } finally {
    config.close();
  }
});

Deno.test("populate_io_buffers is read after the configuration ran", async () => {
  const on = await loadSource(`mysql_listen('/tmp/a.sock', ${MINIMAL_HANDLER})
    populate_io_buffers = true`);
  on.config.close();
  assert.equal(on.config.populateIoBuffers, true);
  const off = await loadSource(`mysql_listen('/tmp/a.sock', ${MINIMAL_HANDLER})`);
  off.config.close();
  assert.equal(off.config.populateIoBuffers, false);
  const { path, error } = await loadFailure(`mysql_listen('/tmp/a.sock', ${MINIMAL_HANDLER})
    populate_io_buffers = "yes"`);
  assert.equal(
    error.message,
    `Invalid populate_io_buffers in "${path}": expected boolean, got string`,
  );
});

Deno.test("reload() calls the global reload, queueing one run while one is running", async () => {
  const { lines, services } = recordingLog();
  const { config } = await loadSource(
    `mysql_listen('/tmp/a.sock', ${MINIMAL_HANDLER})
     n = 0
     function reload() n = n + 1; local mine = n; sleep(0.02); print("reload " .. mine) end`,
    services,
  );
  try {
    assert.equal(config.hasReload, true);
    const first = config.reload();
    const second = config.reload();
    const third = config.reload();
    assert.equal(second, third);
    await Promise.all([first, second, third]);
    assert.deepEqual(lines.map((l) => l.message), ["reload 1", "reload 2"]);
  } finally {
    config.close();
  }
});

Deno.test("reload() without a reload function is a no-op; errors reject", async () => {
  const without = await loadSource(`mysql_listen('/tmp/a.sock', ${MINIMAL_HANDLER})`);
  assert.equal(without.config.hasReload, false);
  await without.config.reload();
  without.config.close();
  const failing = await loadSource(`mysql_listen('/tmp/a.sock', ${MINIMAL_HANDLER})
    function reload() error("nope") end`);
  await assert.rejects(failing.config.reload(), (error: Error) => {
    assert.equal(error.name, "LuaError");
    assert.equal(error.message, `${failing.path}:2: nope`);
    return true;
  });
  failing.config.close();
});

Deno.test("the configuration may suspend at startup (sleep, mysql_resolve)", async () => {
  const started = performance.now();
  const { config } = await loadSource(`sleep(0.05)
    local a = mysql_resolve('localhost:3310')
    assert(tostring(a) == '127.0.0.1:3310' or tostring(a) == '[::1]:3310', tostring(a))
    mysql_listen(a, ${MINIMAL_HANDLER})`);
  config.close();
  assert.ok(performance.now() - started >= 45);
});

Deno.test("a long file name is shortened by Lua but not prefixed twice", async () => {
  await using dir = await tempDir("lua");
  const long = `${dir.path}/${"very-long-directory-name-".repeat(3)}`;
  await Deno.mkdir(long);
  const path = `${long}/config.lua`;
  await Deno.writeTextFile(path, "\nerror('boom')");
  await assert.rejects(loadConfig(path), (error: Error) => {
    assert.match(error.message, /^\.\.\..*-\/config\.lua:2: boom$/);
    return true;
  });
});
