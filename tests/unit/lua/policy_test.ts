import assert from "node:assert/strict";
import { PolicyError } from "../../../src/proxy/policy.ts";
import { bytes, FakeSession, handshake, loadHandler } from "./_helpers.ts";

const CONNECT = "function(c, h) return c:connect('127.0.0.1', h) end";

Deno.test("on_connect: nothing or nil accepts, client:err() refuses", async () => {
  const { config, policy } = await loadHandler(`{
    on_connect = function(client)
      if client.uid == 1 then return nil end
      if client.uid == 2 then return client:err("go away") end
    end,
    on_handshake_response = ${CONNECT},
  }`);
  try {
    const with_uid = (uid: number) => new FakeSession({ pid: 1, uid, gid: 1 });
    assert.deepEqual(await policy.onConnect(with_uid(0)), { kind: "accept" });
    assert.deepEqual(await policy.onConnect(with_uid(1)), { kind: "accept" });
    assert.deepEqual(await policy.onConnect(with_uid(2)), {
      kind: "err",
      message: bytes("go away"),
    });
  } finally {
    config.close();
  }
});

Deno.test("without on_connect every client is accepted", async () => {
  const { config, policy } = await loadHandler(`{ on_handshake_response = ${CONNECT} }`);
  try {
    assert.deepEqual(await policy.onConnect(new FakeSession()), { kind: "accept" });
    await policy.onCommandPhase(new FakeSession());
  } finally {
    config.close();
  }
});

Deno.test("on_connect returning anything else is a PolicyError naming the function", async () => {
  const { path, config, policy } = await loadHandler(`{
    on_connect = function(client)
      return client.notes.value
    end,
    on_handshake_response = ${CONNECT},
  }`);
  try {
    for (
      const [value, described] of [
        ["'yes'", "a string value"],
        ["true", "a boolean value"],
        ["client:connect('127.0.0.1', {user='u'})", "a connect action"],
      ]
    ) {
      const session = new FakeSession();
      const { policy: setter, config: c2 } = await loadHandler(`{
        on_connect = function(client) return ${value} end,
        on_handshake_response = ${CONNECT},
      }`);
      await assert.rejects(setter.onConnect(session), (error: Error) => {
        assert.ok(error instanceof PolicyError);
        assert.match(
          error.message,
          new RegExp(
            `config\\.lua:3: on_connect returned ${described}: expected nil or client:err\\(\\)$`,
          ),
        );
        return true;
      });
      c2.close();
    }
    assert.deepEqual(await policy.onConnect(new FakeSession()), { kind: "accept" });
    assert.ok(path.endsWith("config.lua"));
  } finally {
    config.close();
  }
});

Deno.test("on_handshake_response sees exactly user, password and a non-empty database", async () => {
  const { config, policy } = await loadHandler(`{
    on_handshake_response = function(client, h)
      local keys = {}
      for k, v in pairs(h) do keys[#keys + 1] = k .. "=" .. v end
      table.sort(keys)
      return client:err(table.concat(keys, ","))
    end,
  }`);
  try {
    const session = new FakeSession();
    assert.deepEqual(await policy.onHandshakeResponse(session, handshake("bob", "pw", "shop")), {
      kind: "err",
      message: bytes("database=shop,password=pw,user=bob"),
    });
    assert.deepEqual(await policy.onHandshakeResponse(session, handshake("bob", "", null)), {
      kind: "err",
      message: bytes("password=,user=bob"),
    });
    assert.deepEqual(await policy.onHandshakeResponse(session, handshake("bob", "", "")), {
      kind: "err",
      message: bytes("password=,user=bob"),
    });
  } finally {
    config.close();
  }
});

Deno.test("on_handshake_response: client:connect() becomes a connect verdict", async () => {
  const { config, policy } = await loadHandler(
    `{
      on_handshake_response = function(client, h)
        if h.user == "ro" then return client:connect(server, h, { read_only = true }) end
        h.user = "backend_" .. h.user
        h.database = h.database or "default_db"
        return client:connect(server, h)
      end,
    }`,
    "server = mysql_resolve('/run/mysqld/mysqld.sock')",
  );
  try {
    const verdict = await policy.onHandshakeResponse(new FakeSession(), handshake("al", "pw"));
    assert.deepEqual(verdict, {
      kind: "connect",
      target: { family: "unix", path: "/run/mysqld/mysqld.sock" },
      credentials: {
        user: bytes("backend_al"),
        password: bytes("pw"),
        passwordSha1: null,
        database: bytes("default_db"),
      },
      readOnly: false,
    });
    const ro = await policy.onHandshakeResponse(new FakeSession(), handshake("ro", "pw", "x"));
    assert.equal(ro.kind === "connect" && ro.readOnly, true);
  } finally {
    config.close();
  }
});

Deno.test("on_handshake_response returning nil or an init_db action is a PolicyError", async () => {
  const { config, policy } = await loadHandler(`{
    on_handshake_response = function(client, h)
      if h.user == "init" then return client:init_db("x") end
    end,
  }`);
  try {
    await assert.rejects(
      policy.onHandshakeResponse(new FakeSession(), handshake("u", "")),
      /config\.lua:3: on_handshake_response returned nothing: expected client:connect\(\) or client:err\(\)$/,
    );
    await assert.rejects(
      policy.onHandshakeResponse(new FakeSession(), handshake("init", "")),
      /on_handshake_response returned an init_db action: expected client:connect\(\) or client:err\(\)$/,
    );
  } finally {
    config.close();
  }
});

Deno.test("on_init_db: client:init_db() forwards (possibly renamed), client:err() refuses", async () => {
  const { config, policy } = await loadHandler(`{
    on_handshake_response = ${CONNECT},
    on_init_db = function(client, name)
      if name == "secret" then return client:err("Access denied to " .. name) end
      if name == "alias" then return client:init_db("real") end
      if name == "bad" then return 42 end
      return client:init_db(name)
    end,
  }`);
  try {
    const session = new FakeSession();
    assert.equal(policy.handlesInitDb, true);
    assert.deepEqual(await policy.onInitDb(session, bytes("shop")), {
      kind: "init_db",
      database: bytes("shop"),
    });
    assert.deepEqual(await policy.onInitDb(session, bytes("alias")), {
      kind: "init_db",
      database: bytes("real"),
    });
    assert.deepEqual(await policy.onInitDb(session, bytes("secret")), {
      kind: "err",
      message: bytes("Access denied to secret"),
    });
    await assert.rejects(
      policy.onInitDb(session, bytes("bad")),
      /on_init_db returned a number value: expected client:init_db\(\) or client:err\(\)$/,
    );
  } finally {
    config.close();
  }
});

Deno.test("on_command_phase runs once per call and its return value is ignored", async () => {
  const { config, policy } = await loadHandler(`{
    on_handshake_response = ${CONNECT},
    on_command_phase = function(client)
      client.notes.logins = (client.notes.logins or 0) + 1
      if client.notes.logins == 2 then error("second login") end
      return "ignored"
    end,
    on_connect = function(client) return client:err(tostring(client.notes.logins)) end,
  }`);
  try {
    const session = new FakeSession();
    await policy.onCommandPhase(session);
    assert.deepEqual(await policy.onConnect(session), { kind: "err", message: bytes("1") });
    await assert.rejects(policy.onCommandPhase(session), /config\.lua:6: second login$/);
  } finally {
    config.close();
  }
});

Deno.test("a Lua error in a callback is a PolicyError with file:line and the Lua cause", async () => {
  const { config, policy } = await loadHandler(`{
    on_handshake_response = function(client, h)
      local x = nil
      return x.y
    end,
  }`);
  try {
    await assert.rejects(
      policy.onHandshakeResponse(new FakeSession(), handshake("u", "")),
      (error: Error) => {
        assert.ok(error instanceof PolicyError);
        assert.match(error.message, /config\.lua:5: attempt to index a nil value \(local 'x'\)$/);
        assert.equal((error.cause as Error).name, "LuaError");
        assert.match((error.cause as { luaTraceback: string }).luaTraceback, /stack traceback/);
        return true;
      },
    );
  } finally {
    config.close();
  }
});

Deno.test("after close() the policy refuses with PolicyError", async () => {
  const { config, policy } = await loadHandler(`{ on_handshake_response = ${CONNECT} }`);
  config.close();
  await assert.rejects(
    policy.onHandshakeResponse(new FakeSession(), handshake("u", "")),
    (error: Error) => error instanceof PolicyError && error.message === "Lua state is closed",
  );
});

Deno.test("print() inside a callback logs with the client's prefix", async () => {
  const { lines, services } = (await import("./_helpers.ts")).recordingLog();
  const { config, policy } = await loadHandler(
    `{ on_connect = function(client) client.account = "acme" print("hello", 1, nil) end,
       on_handshake_response = ${CONNECT} }`,
    "print('starting')",
    services,
  );
  try {
    await policy.onConnect(new FakeSession());
    assert.deepEqual(lines, [
      { level: "info", message: "starting", prefix: undefined },
      { level: "info", message: "hello\t1\tnil", prefix: 'pid=4242 uid=1000 account="acme"' },
    ]);
  } finally {
    config.close();
  }
});
