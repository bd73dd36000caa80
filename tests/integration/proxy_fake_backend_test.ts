/**
 * The proxy against a programmable fake MySQL server, for what a real
 * MariaDB cannot be made to do: caching_sha2_password, auth switches,
 * ERR greetings, malformed packets, disconnects in the middle of a result.
 */

import assert from "node:assert/strict";
import {
  acceptLogin,
  authSwitchTo,
  cachingSha2Login,
  type FakeMysqlConnection,
  type FakeMysqlHandler,
  startFakeMysqlServer,
} from "../support/fake_mysql_server.ts";
import { startProxy } from "../support/proxy_process.ts";
import { tempDir } from "../support/tmp.ts";
import { buildHandshakeResponse } from "../../src/mysql/handshake.ts";
import { RAW_CLIENT_CAPS } from "../support/raw_mysql.ts";
import { errorOf, RawMysqlClient } from "../support/raw_mysql.ts";
import { AuthPlugin, Command } from "../../src/mysql/constants.ts";

/** Routes each client user name to a scenario of the fake backend. */
type Scenario = (conn: FakeMysqlConnection) => Promise<void>;

/** Answers every query with one row holding the SQL text, until the client leaves. */
async function serveQueries(conn: FakeMysqlConnection, nextSeq = 1): Promise<void> {
  for (;;) {
    const packet = await conn.readPacket().catch(() => null);
    if (!packet || packet.payload[0] === Command.QUIT) return;
    if (packet.payload[0] === Command.QUERY) {
      await conn.sendResultSet(nextSeq, ["echo"], [[packet.payload.subarray(1)]]);
    } else {
      await conn.sendOk(nextSeq);
    }
  }
}

const SCENARIOS: Record<string, Scenario> = {
  async sha2fast(conn) {
    const outcome = await cachingSha2Login(conn, "secret");
    if (outcome.ok) await serveQueries(conn);
  },
  async sha2full(conn) {
    const outcome = await cachingSha2Login(conn, "secret", {
      fullAuth: true,
      secureTransport: false,
    });
    if (!outcome.ok) return;
    keyRequests += outcome.publicKeyRequested ? 1 : 0;
    await serveQueries(conn);
  },
  async switchnative(conn) {
    const outcome = await authSwitchTo(conn, AuthPlugin.NATIVE_PASSWORD, "secret");
    if (outcome.ok) await serveQueries(conn);
  },
  async errgreeting(conn) {
    await conn.sendErr(0, { code: 1040, sqlState: "08004", message: "Too many connections" });
  },
  async garbagegreeting(conn) {
    await conn.writeRaw(new Uint8Array([5, 0, 0, 0, 10, 0xff, 0xff, 0xff, 0xff]));
  },
  async midresult(conn) {
    await acceptLogin(conn);
    await conn.readPacket();
    // Column count, one definition, EOF, one row; then the server dies.
    await conn.writePacket(1, new Uint8Array([1]));
    await conn.writePacket(
      2,
      new Uint8Array([
        3,
        0x64,
        0x65,
        0x66,
        0,
        0,
        0,
        1,
        0x78,
        0,
        0x0c,
        0x21,
        0,
        0,
        0,
        0,
        0,
        0xfd,
        0,
        0,
        0,
        0,
        0,
      ]),
    );
    await conn.writePacket(3, new Uint8Array([0xfe, 0, 0, 2, 0]));
    await conn.writePacket(4, new Uint8Array([1, 0x61]));
    conn.close();
  },
  async resetafterlogin(conn) {
    await acceptLogin(conn);
    conn.close(); // while on_command_phase still runs
  },
  async leaver(conn) {
    leaverBackendsOpen++;
    try {
      await acceptLogin(conn);
      await conn.waitForClose();
    } finally {
      leaverBackendsOpen--;
    }
  },
  async deprecateeof(conn) {
    await acceptLogin(conn);
    await conn.readPacket();
    // Rows that begin with 0x00 (an empty string) inside a DEPRECATE_EOF result.
    await conn.sendResultSet(1, ["v"], [[""], ["x"]], { deprecateEof: true });
    await serveQueries(conn);
  },
};

let keyRequests = 0;
let leaverBackendsOpen = 0;

const dispatcher: FakeMysqlHandler = async (conn) => {
  // Tests run one login at a time, so the scenario is chosen before each login.
  await SCENARIOS[currentScenario](conn);
};
let currentScenario = "sha2fast";

function validLogin(user: string): Uint8Array {
  return buildHandshakeResponse({
    capabilities: RAW_CLIENT_CAPS,
    maxPacketSize: 0x1000000,
    charset: 0x21,
    user,
    authResponse: new TextEncoder().encode("secret\0"),
    database: null,
    authPluginName: "mysql_clear_password",
  });
}

function config(port: number, deniedDir: string): string {
  return `
local handler = {}
function handler.on_handshake_response(client, hr)
  client.account = hr.user
  if hr.user == 'leaver' then sleep(0.3) end
  if hr.user == 'overunix' then return client:connect('$SOCKET-fake', hr) end
  if hr.user == 'denied' then return client:connect('${deniedDir}/x.sock', hr) end
  return client:connect('127.0.0.1:${port}', hr)
end
function handler.on_command_phase(client)
  if client.account == 'resetafterlogin' then sleep(0.3) end
end
mysql_listen('127.0.0.1:$PORT', handler)
`;
}

Deno.test("proxy against a fake backend", async (t) => {
  await using backend = await startFakeMysqlServer(dispatcher);
  const port = (backend.address as { port: number }).port;
  await using denied = await tempDir("fake-unix");
  await using proxy = await startProxy(config(port, denied.path));
  // Inside the proxy's directory, which its --allow-read/--allow-write cover.
  await using unixBackend = await startFakeMysqlServer(async (conn) => {
    const outcome = await cachingSha2Login(conn, "secret", { fullAuth: true });
    if (outcome.ok) await serveQueries(conn);
  }, { path: `${proxy.socketPath}-fake` });

  async function login(scenario: string, password = "secret") {
    currentScenario = scenario;
    const client = await RawMysqlClient.connect(proxy.port);
    const reply = await client.login(scenario, password);
    return { client, reply };
  }

  await t.step("caching_sha2_password fast authentication", async () => {
    const { client, reply } = await login("sha2fast");
    using _ = client;
    assert.equal(errorOf(reply), null);
    assert.equal(reply.sequenceId, 2);
    assert.deepEqual(await client.query("SELECT 1"), { rows: [["SELECT 1"]] });
  });

  await t.step("caching_sha2_password wrong password is refused", async () => {
    const { client, reply } = await login("sha2fast", "wrong");
    using _ = client;
    assert.equal(errorOf(reply)?.code, 1045);
  });

  await t.step("caching_sha2_password full authentication fetches the RSA key once", async () => {
    keyRequests = 0;
    for (let i = 0; i < 2; i++) {
      const { client, reply } = await login("sha2full");
      using _ = client;
      assert.equal(errorOf(reply), null, `login ${i}`);
      assert.equal(
        reply.sequenceId,
        2,
        "a backend auth exchange must not shift the client's sequence",
      );
      assert.deepEqual(await client.query("SELECT 2"), { rows: [["SELECT 2"]] });
    }
    assert.equal(keyRequests, 1);
  });

  await t.step(
    "caching_sha2_password full authentication over a unix socket sends the clear password",
    async () => {
      const client = await RawMysqlClient.connect(proxy.port);
      using _ = client;
      assert.equal(errorOf(await client.login("overunix", "secret")), null);
      assert.deepEqual(await client.query("SELECT 4"), { rows: [["SELECT 4"]] });
      assert.equal(unixBackend.errors.length, 0);
    },
  );

  await t.step(
    "a backend socket outside the permission set is logged with the flag to add",
    async () => {
      const client = await RawMysqlClient.connect(proxy.port);
      using _ = client;
      assert.equal(errorOf(await client.login("denied", "x"))?.message, "Connection error");
      assert.match(await proxy.log(), /add --allow-(read|write)=\/.*x\.sock/);
    },
  );

  await t.step("an AuthSwitchRequest from the backend is followed", async () => {
    const { client, reply } = await login("switchnative");
    using _ = client;
    assert.equal(errorOf(reply), null);
    assert.equal(reply.sequenceId, 2);
  });

  await t.step(
    "an ERR greeting from the backend is 'Connection error' for the client",
    async () => {
      const { client, reply } = await login("errgreeting");
      using _ = client;
      assert.deepEqual(errorOf(reply), {
        code: 1043,
        sqlState: "08S01",
        message: "Connection error",
      });
      assert.match(await proxy.log(), /Too many connections/);
    },
  );

  await t.step("a malformed greeting is 'Connection error' for the client", async () => {
    const { client, reply } = await login("garbagegreeting");
    using _ = client;
    assert.equal(errorOf(reply)?.message, "Connection error");
  });

  await t.step("a backend dying mid-result gives ERR 1047 with the next sequence id", async () => {
    const { client } = await login("midresult");
    using _ = client;
    await client.send(0, new Uint8Array([Command.QUERY, 0x78]));
    const packets = [];
    for (;;) {
      const packet = await client.read();
      if (!packet) break;
      packets.push(packet);
    }
    const last = packets.at(-1)!;
    assert.deepEqual(errorOf(last), {
      code: 1047,
      sqlState: "08S01",
      message: "Connection to the server lost",
    });
    assert.equal(last.sequenceId, 5);
  });

  await t.step(
    "regression: rows starting with 0x00 in DEPRECATE_EOF results pass through",
    async () => {
      const { client } = await login("deprecateeof");
      using _ = client;
      await client.send(0, new Uint8Array([Command.QUERY, 0x78]));
      const payloads = [];
      for (let i = 0; i < 5; i++) payloads.push((await client.read())!.payload);
      assert.deepEqual(payloads[2], new Uint8Array([0])); // the row [""]
      assert.equal(payloads[4][0], 0xfe);
      assert.deepEqual(await client.query("SELECT 3"), { rows: [["SELECT 3"]] });
    },
  );

  await t.step(
    "regression: a backend reset during on_command_phase does not crash the proxy",
    async () => {
      const { client, reply } = await login("resetafterlogin");
      using _ = client;
      assert.equal(errorOf(reply), null);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(proxy.child.exited(), false);
      const { client: next, reply: nextReply } = await login("sha2fast");
      using _next = next;
      assert.equal(errorOf(nextReply), null);
    },
  );

  await t.step(
    "regression: a backend lost before the command phase starts gets ERR 1047, not a hang",
    async () => {
      // The backend closes while on_command_phase sleeps; its 'close' used to reach nobody.
      const { client, reply } = await login("resetafterlogin");
      using _ = client;
      assert.equal(errorOf(reply), null);
      const packet = await Promise.race([
        client.read(),
        new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 3000)),
      ]);
      assert.notEqual(packet, "hung", "the client heard nothing after the backend left");
      assert.ok(packet !== null && typeof packet === "object");
      assert.equal(errorOf(packet)?.code, 1047);
      assert.equal(await client.closedByPeer(), true);
    },
  );

  await t.step(
    "regression: a client leaving during on_handshake_response closes the backend",
    async () => {
      currentScenario = "leaver";
      const client = await RawMysqlClient.connect(proxy.port);
      await client.read(); // greeting
      await client.send(1, validLogin("leaver"));
      client.close(); // gone while the handler sleeps
      // The handler sleeps 0.3 s; then the proxy must not keep a backend session open.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(leaverBackendsOpen, 0);
    },
  );

  await t.step("the proxy log names the client for every failure", async () => {
    assert.match(await proxy.log(), /conn=\d+ account="midresult": Backend connection lost/);
  });
});
