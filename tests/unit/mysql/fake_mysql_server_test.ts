import assert from "node:assert/strict";
import {
  acceptLogin,
  authSwitchTo,
  cachingSha2Login,
  type FakeMysqlConnection,
  type LoginOutcome,
  startFakeMysqlServer,
} from "../../support/fake_mysql_server.ts";
import { BackendLogin, type LoginStep, type RsaKeyCache } from "../../../src/mysql/auth/login.ts";
import { parseServerGreeting } from "../../../src/mysql/handshake.ts";
import { PacketFramer } from "../../../src/mysql/framer.ts";
import { framePackets } from "../../../src/mysql/writer.ts";
import { isResultSetEnd } from "../../../src/mysql/response.ts";
import {
  parseColumnCount,
  parseColumnDefinition,
  parseTextRow,
} from "../../../src/mysql/resultset.ts";
import { Capability, Command } from "../../../src/mysql/constants.ts";
import type { SocketAddress } from "../../../src/net/address.ts";
import { tempDir } from "../../support/tmp.ts";

const encoder = new TextEncoder();
const CLIENT_CAPS = 0x818ff20f;

/** A minimal client: packets over a Deno.Conn. */
class TestClient {
  readonly #framer = new PacketFramer();
  readonly #buffer = new Uint8Array(16384);
  private constructor(readonly conn: Deno.Conn) {}

  static async connect(address: SocketAddress): Promise<TestClient> {
    if (address.family === "unix") {
      return new TestClient(await Deno.connect({ transport: "unix", path: address.path }));
    }
    if (address.family !== "inet") throw new Error("unexpected address");
    return new TestClient(await Deno.connect({ hostname: address.host, port: address.port }));
  }

  async read() {
    for (;;) {
      const p = this.#framer.next();
      if (p) return p;
      const n = await this.conn.read(this.#buffer);
      if (n === null) throw new Error("server closed the connection");
      this.#framer.push(this.#buffer.subarray(0, n));
    }
  }

  async write(seq: number, payload: Uint8Array) {
    const bytes = framePackets(seq, payload);
    for (let at = 0; at < bytes.length;) at += await this.conn.write(bytes.subarray(at));
  }

  close() {
    this.conn.close();
  }
}

interface LoginRun {
  step: LoginStep;
  login: BackendLogin;
  client: TestClient;
  nextSeq: number;
}

/** Drives BackendLogin over a real socket, as the proxy does. The caller closes `client`. */
async function login(
  address: SocketAddress,
  password: string | null,
  options: { rsaKeyCache?: RsaKeyCache; secureTransport?: boolean; passwordSha1?: Uint8Array } = {},
): Promise<LoginRun> {
  const client = await TestClient.connect(address);
  const greeting = parseServerGreeting((await client.read()).payload);
  const l = new BackendLogin({
    credentials: {
      user: encoder.encode("app"),
      password: password === null ? null : encoder.encode(password),
      passwordSha1: options.passwordSha1 ?? null,
      database: null,
    },
    clientCapabilities: CLIENT_CAPS,
    greeting,
    rsaKeyCache: options.rsaKeyCache,
    serverKey: JSON.stringify(address),
    secureTransport: options.secureTransport,
  });
  await client.write(1, await l.start());
  for (;;) {
    const packet = await client.read();
    const step = await l.onPacket(packet.payload);
    const nextSeq = (packet.lastSequenceId + 1) & 0xff;
    if (step.kind === "send") await client.write(nextSeq, step.payload);
    else if (step.kind !== "wait") return { step, login: l, client, nextSeq };
  }
}

async function loginAndClose(
  address: SocketAddress,
  password: string | null,
  options: Parameters<typeof login>[2] = {},
): Promise<LoginStep> {
  const run = await login(address, password, options);
  run.client.close();
  return run.step;
}

function recorder(scenario: (conn: FakeMysqlConnection) => Promise<LoginOutcome>) {
  const outcomes: LoginOutcome[] = [];
  return {
    outcomes,
    handler: async (conn: FakeMysqlConnection) => {
      outcomes.push(await scenario(conn));
      await conn.waitForClose();
    },
  };
}

Deno.test("fake server: caching_sha2 fast auth logs BackendLogin in", async () => {
  const r = recorder((conn) => cachingSha2Login(conn, "pw1"));
  await using srv = await startFakeMysqlServer(r.handler);
  assert.equal((await loginAndClose(srv.address, "pw1")).kind, "ok");
  await srv.close();
  assert.deepEqual(srv.errors, []);
  assert.equal(r.outcomes[0].ok, true);
  assert.equal(r.outcomes[0].response.authPluginName, "caching_sha2_password");
});

Deno.test("fake server: caching_sha2 full auth requests the RSA key once across two logins", async () => {
  const r = recorder((conn) => cachingSha2Login(conn, "secret", { fullAuth: true }));
  await using srv = await startFakeMysqlServer(r.handler);
  const cache: RsaKeyCache = new Map();
  assert.equal((await loginAndClose(srv.address, "secret", { rsaKeyCache: cache })).kind, "ok");
  assert.equal((await loginAndClose(srv.address, "secret", { rsaKeyCache: cache })).kind, "ok");
  await srv.close();
  assert.deepEqual(srv.errors, []);
  assert.equal(srv.connections, 2);
  assert.deepEqual(r.outcomes.map((o) => [o.ok, o.publicKeyRequested]), [[true, true], [
    true,
    false,
  ]]);
  assert.equal(cache.size, 1);
});

Deno.test("fake server: a wrong password gets ERR 1045 (fast, full and switched)", async () => {
  const scenarios = [
    (conn: FakeMysqlConnection) => cachingSha2Login(conn, "right"),
    (conn: FakeMysqlConnection) => cachingSha2Login(conn, "right", { fullAuth: true }),
    (conn: FakeMysqlConnection) => authSwitchTo(conn, "mysql_native_password", "right"),
    (conn: FakeMysqlConnection) => authSwitchTo(conn, "client_ed25519", "right"),
  ];
  for (const scenario of scenarios) {
    const r = recorder(scenario);
    await using srv = await startFakeMysqlServer(r.handler);
    const step = await loginAndClose(srv.address, "wrong");
    assert.equal(step.kind, "err");
    if (step.kind === "err") {
      assert.equal(step.error.code, 1045);
      assert.equal(step.error.sqlState, "28000");
    }
    await srv.close();
    assert.deepEqual(srv.errors, []);
    assert.equal(r.outcomes[0].ok, false);
  }
});

for (
  const plugin of [
    "mysql_native_password",
    "mysql_clear_password",
    "client_ed25519",
    "caching_sha2_password",
  ]
) {
  Deno.test(`fake server: AuthSwitchRequest to ${plugin}`, async () => {
    const r = recorder((conn) => authSwitchTo(conn, plugin, "pässword"));
    await using srv = await startFakeMysqlServer(r.handler);
    const run = await login(srv.address, "pässword");
    run.client.close();
    assert.equal(run.step.kind, "ok");
    assert.equal(run.login.pluginName, plugin);
    await srv.close();
    assert.deepEqual(srv.errors, []);
    assert.equal(r.outcomes[0].ok, true);
  });
}

Deno.test("fake server: the empty password logs in with native and caching_sha2", async () => {
  for (
    const scenario of [
      (conn: FakeMysqlConnection) => authSwitchTo(conn, "mysql_native_password", ""),
      (conn: FakeMysqlConnection) => cachingSha2Login(conn, ""),
    ]
  ) {
    await using srv = await startFakeMysqlServer(recorder(scenario).handler);
    assert.equal((await loginAndClose(srv.address, null)).kind, "ok");
    await srv.close();
    assert.deepEqual(srv.errors, []);
  }
});

Deno.test("fake server: on a unix socket caching_sha2 full auth takes the clear password", async () => {
  await using dir = await tempDir("fake-mysql");
  const r = recorder((conn) => cachingSha2Login(conn, "pw", { fullAuth: true }));
  await using srv = await startFakeMysqlServer(r.handler, { path: `${dir.path}/mysqld.sock` });
  assert.equal(srv.address.family, "unix");
  assert.equal((await loginAndClose(srv.address, "pw", { secureTransport: true })).kind, "ok");
  await srv.close();
  assert.deepEqual(srv.errors, []);
  assert.deepEqual([r.outcomes[0].ok, r.outcomes[0].publicKeyRequested], [true, false]);
});

for (const deprecateEof of [false, true]) {
  Deno.test(`fake server: sendResultSet with deprecateEof=${deprecateEof}`, async () => {
    await using srv = await startFakeMysqlServer(async (conn) => {
      await acceptLogin(conn);
      const query = await conn.readPacket();
      assert.equal(query.payload[0], Command.QUERY);
      await conn.sendResultSet(1, ["@@global.read_only", "x"], [["1", null], ["0", "y"]], {
        deprecateEof,
      });
      await conn.waitForClose();
    });
    const run = await login(srv.address, "any");
    const { client } = run;
    await client.write(0, encoder.encode("\x03SELECT @@global.read_only, x"));
    const caps = deprecateEof
      ? Capability.DEPRECATE_EOF | Capability.PROTOCOL_41
      : Capability.PROTOCOL_41;
    const count = parseColumnCount((await client.read()).payload);
    const names = [];
    for (let i = 0; i < count; i++) {
      names.push(
        new TextDecoder().decode(parseColumnDefinition((await client.read()).payload).name),
      );
    }
    if (!deprecateEof) assert.ok(isResultSetEnd((await client.read()).payload, caps));
    const rows = [];
    for (let p = await client.read(); !isResultSetEnd(p.payload, caps); p = await client.read()) {
      rows.push(parseTextRow(p.payload, count).map((v) => v && new TextDecoder().decode(v)));
    }
    client.close();
    assert.deepEqual(names, ["@@global.read_only", "x"]);
    assert.deepEqual(rows, [["1", null], ["0", "y"]]);
    await srv.close();
    assert.deepEqual(srv.errors, []);
  });
}

Deno.test("fake server: close() ends handlers blocked on a read without recording errors", async () => {
  let reached = false;
  const srv = await startFakeMysqlServer(async (conn) => {
    await conn.sendGreeting();
    reached = true;
    await conn.readPacket(); // the client never answers
  });
  const client = await TestClient.connect(srv.address);
  parseServerGreeting((await client.read()).payload);
  assert.ok(reached);
  await srv.close();
  client.close();
  assert.deepEqual(srv.errors, []);
  assert.equal(srv.connections, 1);
});

Deno.test("fake server: handler failures are recorded in errors", async () => {
  const srv = await startFakeMysqlServer(() => {
    throw new Error("boom");
  });
  const client = await TestClient.connect(srv.address);
  await assert.rejects(() => client.read(), /server closed/);
  client.close();
  await srv.close();
  assert.equal(srv.errors.length, 1);
});
