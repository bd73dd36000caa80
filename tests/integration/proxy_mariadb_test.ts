/**
 * The proxy end to end: a real MariaDB (throwaway), the proxy as a child
 * process with a Lua config, and real clients (`mariadb` CLI, mysql2) plus a
 * byte-level client where exact packets matter.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import mysql from "mysql2/promise";
import { type MariaDb, startMariaDb } from "../support/mariadb.ts";
import { type ProxyProcess, startProxy } from "../support/proxy_process.ts";
import { errorOf, RawMysqlClient } from "../support/raw_mysql.ts";
import { Command } from "../../src/mysql/constants.ts";

const te = new TextEncoder();

function luaBytes(bytes: Uint8Array): string {
  return [...bytes].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join("");
}

function config(db: MariaDb): string {
  const sha1 = createHash("sha1").update("sha1-pw").digest();
  return `
local backend = '127.0.0.1:${db.port}'
local last_client = nil

local handler = {}

function handler.on_handshake_response(client, hr)
  local previous = last_client
  last_client = client
  local user = hr.user
  if user == 'whoami' then
    return client:err('uid=' .. tostring(client.uid) .. ' gid=' .. tostring(client.gid) ..
      ' pid=' .. tostring(client.pid))
  elseif user == 'refused' then
    return client:err('Go away')
  elseif user == 'luaerror' then
    error('boom from the config')
  elseif user == 'badreturn' then
    return 42
  elseif user == 'stale' then
    local ok, message = pcall(function() return previous.pid end)
    return client:err(ok and 'not stale' or tostring(message))
  elseif user == 'slow' then
    sleep(1.5)
    hr.user = 'native'
  elseif user == 'viasha1' then
    return client:connect(backend, {user = 'sha1user', password_sha1 = "${luaBytes(sha1)}",
      database = hr.database})
  elseif user == 'nowhere' then
    return client:connect('127.0.0.1:1', hr)
  end
  client.account = user
  return client:connect(backend, hr)
end

function handler.on_init_db(client, database)
  if database == 'forbidden' then return client:err('No access to ' .. database) end
  if database == 'test' then return client:err('on_init_db must not run for the current database') end
  if database == 'alias' then return client:init_db('other') end
  if database == 'slowdb' then
    sleep(0.5)
    return client:init_db('other')
  end
  return client:init_db(database)
end

local refuse = {}
function refuse.on_connect(client)
  return client:err('Refused at connect')
end
function refuse.on_handshake_response(client, hr)
  return client:err('unreachable')
end

mysql_listen('127.0.0.1:$PORT', handler)
mysql_listen('$SOCKET', handler)
mysql_listen('$SOCKET-refuse', refuse)
`;
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], asNobody = false): Promise<CliResult> {
  const command = asNobody
    ? new Deno.Command("setpriv", {
      args: ["--reuid=65534", "--regid=65534", "--clear-groups", "mariadb", ...args],
    })
    : new Deno.Command("mariadb", { args });
  const out = await command.output();
  const td = new TextDecoder();
  return { code: out.code, stdout: td.decode(out.stdout), stderr: td.decode(out.stderr) };
}

function mysql2Connect(proxy: ProxyProcess, user = "native", password = "native-pw") {
  return mysql.createConnection({
    host: "127.0.0.1",
    port: proxy.port,
    user,
    password,
    database: "test",
    enableCleartextPlugin: true,
  } as mysql.ConnectionOptions);
}

Deno.test("proxy against a real MariaDB", async (t) => {
  await using db = await startMariaDb();
  await using proxy = await startProxy(config(db), 3);
  const tcp = ["--protocol=TCP", "-h", "127.0.0.1", "-P", String(proxy.port)];
  const unix = ["-S", proxy.socketPath];

  await t.step("the mariadb CLI logs in with mysql_native_password over TCP", async () => {
    const r = await cli([
      ...tcp,
      "-u",
      "native",
      "-pnative-pw",
      "test",
      "-N",
      "-e",
      "SELECT 1+1, DATABASE(), CURRENT_USER()",
    ]);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "2\ttest\tnative@%\n");
  });

  await t.step("the mariadb CLI logs in over the unix socket", async () => {
    const r = await cli([
      ...unix,
      "-u",
      "native",
      "-pnative-pw",
      "-N",
      "-e",
      "SELECT CURRENT_USER()",
    ]);
    assert.equal(r.stdout, "native@%\n", r.stderr);
  });

  await t.step("an ed25519 account logs in through the proxy", async () => {
    const r = await cli([...tcp, "-u", "ed", "-ped-pw", "-N", "-e", "SELECT CURRENT_USER()"]);
    assert.equal(r.stdout, "ed@%\n", r.stderr);
  });

  await t.step("password_sha1 logs in without the clear-text password", async () => {
    const r = await cli([
      ...tcp,
      "-u",
      "viasha1",
      "-pwhatever",
      "test",
      "-N",
      "-e",
      "SELECT CURRENT_USER()",
    ]);
    assert.equal(r.stdout, "sha1user@%\n", r.stderr);
  });

  await t.step("an account with an empty password logs in", async () => {
    const r = await cli([...tcp, "-u", "nopw", "-N", "-e", "SELECT CURRENT_USER()"]);
    assert.equal(r.stdout, "nopw@%\n", r.stderr);
  });

  await t.step("a wrong password gets the backend's ERR 1045", async () => {
    const r = await cli([...tcp, "-u", "native", "-pwrong", "-e", "SELECT 1"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ERROR 1045 \(28000\): Access denied for user 'native'/);
  });

  await t.step("client:err in on_handshake_response is ERR 1043 with the message", async () => {
    const r = await cli([...tcp, "-u", "refused", "-px", "-e", "SELECT 1"]);
    assert.match(r.stderr, /ERROR 1043 \(08S01\): Go away/);
  });

  await t.step("client:err in on_connect refuses before the greeting", async () => {
    const r = await cli(["-S", `${proxy.socketPath}-refuse`, "-u", "x", "-px", "-e", "SELECT 1"]);
    // The CLI words an error before the greeting its own way, with our code and message.
    assert.match(r.stderr, /1043 - Refused at connect/);
  });

  await t.step("a Lua error is ERR 'Lua error' and the log has the real message", async () => {
    const r = await cli([...tcp, "-u", "luaerror", "-px", "-e", "SELECT 1"]);
    assert.match(r.stderr, /ERROR 1043 \(08S01\): Lua error/);
    const badReturn = await cli([...tcp, "-u", "badreturn", "-px", "-e", "SELECT 1"]);
    assert.match(badReturn.stderr, /ERROR 1043 \(08S01\): Lua error/);
    assert.match(await proxy.log(), /Lua error: .*config\.lua:\d+: boom from the config/);
  });

  await t.step("an unreachable backend is ERR 1043 'Connection error'", async () => {
    const r = await cli([...tcp, "-u", "nowhere", "-px", "-e", "SELECT 1"]);
    assert.match(r.stderr, /ERROR 1043 \(08S01\): Connection error/);
  });

  await t.step("Lua sees the peer credentials of two different uids", async () => {
    const root = await cli([...unix, "-u", "whoami", "-px", "-e", "SELECT 1"]);
    assert.match(root.stderr, /ERROR 1043 \(08S01\): uid=0 gid=0 pid=\d+/);
    const nobody = await cli([...unix, "-u", "whoami", "-px", "-e", "SELECT 1"], true);
    assert.match(nobody.stderr, /ERROR 1043 \(08S01\): uid=65534 gid=65534 pid=\d+/);
    const overTcp = await cli([...tcp, "-u", "whoami", "-px", "-e", "SELECT 1"]);
    assert.match(overTcp.stderr, /uid=nil gid=nil pid=nil/);
  });

  await t.step("the client object is stale after its connection closed", async () => {
    await cli([...tcp, "-u", "native", "-pnative-pw", "-e", "SELECT 1"]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const r = await cli([...tcp, "-u", "stale", "-px", "-e", "SELECT 1"]);
    assert.match(r.stderr, /Stale object/);
  });

  await t.step("USE goes through on_init_db: allowed, renamed and refused", async () => {
    const r = await cli([
      ...tcp,
      "-u",
      "native",
      "-pnative-pw",
      "test",
      "-N",
      "-e",
      "use other; SELECT DATABASE(); use alias; SELECT DATABASE()",
    ]);
    assert.equal(r.stdout, "other\nother\n", r.stderr);
    const refused = await cli([
      ...tcp,
      "-u",
      "native",
      "-pnative-pw",
      "test",
      "-e",
      "use forbidden",
    ]);
    assert.match(refused.stderr, /ERROR 1044 \(42000\).*No access to forbidden/);
  });

  await t.step("init_db to the current database is answered locally", async () => {
    using client = await RawMysqlClient.connect(proxy.port);
    const login = await client.login("native", "native-pw", "test");
    assert.equal(errorOf(login), null);
    const reply = await client.initDb("test");
    assert.equal(errorOf(reply), null, "on_init_db ran although the database is current");
    assert.equal(reply.sequenceId, 1);
  });

  await t.step("client packets sent during a callback are held until it returns", async () => {
    using client = await RawMysqlClient.connect(proxy.port);
    await client.login("native", "native-pw", "test");
    // INIT_DB (slow callback) and a query in one write: the query must see the new database.
    const initDb = new Uint8Array([0x01 + 6, 0, 0, 0, Command.INIT_DB, ...te.encode("slowdb")]);
    const sql = te.encode("SELECT DATABASE()");
    const query = new Uint8Array([sql.length + 1, 0, 0, 0, Command.QUERY, ...sql]);
    await client.writeRaw(new Uint8Array([...initDb, ...query]));
    const reply = await client.read();
    assert.equal(errorOf(reply!), null);
    assert.deepEqual(await client.readResult(), { rows: [["other"]] });
  });

  await t.step("a slow handler on one connection does not delay another", async () => {
    let slowDone = false;
    const slow = cli([...tcp, "-u", "slow", "-pnative-pw", "-N", "-e", "SELECT 'slow'"]).then(
      (r) => {
        slowDone = true;
        return r;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 100)); // the slow one is inside sleep()
    const fast = await cli([...tcp, "-u", "native", "-pnative-pw", "-N", "-e", "SELECT 'fast'"]);
    assert.equal(fast.stdout, "fast\n");
    assert.equal(slowDone, false, "the fast login waited for the slow handler");
    assert.equal((await slow).stdout, "slow\n");
  });

  await t.step("COM_QUIT closes the connection", async () => {
    using client = await RawMysqlClient.connect(proxy.port);
    await client.login("native", "native-pw");
    await client.send(0, new Uint8Array([Command.QUIT]));
    assert.ok(await client.closedByPeer());
  });

  await t.step("mysql2: queries, prepared statements and COM_CHANGE_USER reset", async () => {
    const conn = await mysql2Connect(proxy);
    try {
      const [rows] = await conn.query("SELECT 1 + 1 AS two");
      assert.deepEqual(rows, [{ two: 2 }]);
      await conn.query("CREATE TABLE IF NOT EXISTS kv (k INT PRIMARY KEY, v VARCHAR(20))");
      await conn.execute("REPLACE INTO kv VALUES (?, ?)", [1, "one"]);
      const [found] = await conn.execute("SELECT v FROM kv WHERE k = ?", [1]);
      assert.deepEqual(found, [{ v: "one" }]);
      await conn.query("SET @marker = 5");
      await conn.changeUser({ user: "native", password: "native-pw", database: "test" });
      const [after] = await conn.query("SELECT @marker AS marker");
      assert.deepEqual(after, [{ marker: null }], "session was not reset");
    } finally {
      await conn.end();
    }
  });

  await t.step("mysql2: multi-MiB and 16 MiB+ blobs round trip", async () => {
    const conn = await mysql2Connect(proxy);
    try {
      await conn.query("CREATE TABLE IF NOT EXISTS blobs (id INT PRIMARY KEY, b LONGBLOB)");
      for (const size of [3 * 1024 * 1024, 0xffffff - 40, 17 * 1024 * 1024]) {
        const blob = new Uint8Array(size);
        for (let i = 0; i < size; i += 4096) blob[i] = (i / 4096) & 0xff;
        blob[size - 1] = 0x7f;
        await conn.execute("REPLACE INTO blobs VALUES (?, ?)", [size, blob]);
        const [rows] = await conn.query("SELECT b FROM blobs WHERE id = ?", [size]);
        const back = (rows as { b: Uint8Array }[])[0].b;
        assert.equal(back.length, size);
        assert.ok(
          createHash("sha1").update(back).digest().equals(createHash("sha1").update(blob).digest()),
          `blob of ${size} bytes changed`,
        );
      }
    } finally {
      await conn.end();
    }
  });

  await t.step("the proxy is still running", () => {
    assert.equal(proxy.child.exited(), false);
  });
});
