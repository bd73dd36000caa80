import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { ClientConnection } from "../../../src/proxy/client_connection.ts";
import type { SessionPolicy, Verdict } from "../../../src/proxy/policy.ts";
import type { StreamSocket } from "../../../src/net/stream_socket.ts";
import { buildHandshakeResponse } from "../../../src/mysql/handshake.ts";
import { framePackets } from "../../../src/mysql/writer.ts";
import { Capability } from "../../../src/mysql/constants.ts";
import { acceptLogin, startFakeMysqlServer } from "../../support/fake_mysql_server.ts";

const te = new TextEncoder();

/**
 * A client that logs in with a clear-text password, then vanishes the moment
 * the proxy writes it the login's OK: the send fails and the socket closes,
 * as FdSocket does on EPIPE or ECONNRESET.
 */
class VanishingClient extends EventEmitter {
  destroyed = false;
  quiet = false;
  receiver = null;
  #writes = 0;

  write(): boolean {
    if (++this.#writes === 1) {
      // That was the greeting: answer it.
      const response = buildHandshakeResponse({
        capabilities: Capability.LONG_PASSWORD | Capability.PROTOCOL_41 |
          Capability.SECURE_CONNECTION | Capability.PLUGIN_AUTH,
        maxPacketSize: 1 << 24,
        charset: 33,
        user: te.encode("u"),
        authResponse: te.encode("pw\0"),
        database: null,
        authPluginName: "mysql_clear_password",
      });
      queueMicrotask(() => this.emit("data", framePackets(1, response)));
      return true;
    }
    this.destroy();
    return false;
  }
  pause() {
    return this;
  }
  resume() {
    return this;
  }
  end() {
    return this;
  }
  destroy() {
    if (this.destroyed) return this;
    this.destroyed = true;
    queueMicrotask(() => this.emit("close", true));
    return this;
  }
}

Deno.test("a client lost while its login OK is written ends the session and the backend (regression)", async () => {
  let backendClosed = false;
  await using server = await startFakeMysqlServer(async (conn) => {
    await acceptLogin(conn);
    await conn.waitForClose();
    backendClosed = true;
  });
  let commandPhaseCalls = 0;
  const connect: Verdict = {
    kind: "connect",
    target: server.address,
    readOnly: false,
    credentials: {
      user: te.encode("u"),
      password: te.encode("pw"),
      passwordSha1: null,
      database: null,
    },
  };
  const policy: SessionPolicy = {
    onConnect: () => Promise.resolve({ kind: "accept" }),
    onHandshakeResponse: () => Promise.resolve(connect),
    onCommandPhase: () => {
      commandPhaseCalls++;
      return Promise.resolve();
    },
    handlesInitDb: false,
    onInitDb: () => Promise.resolve({ kind: "accept" }),
    release: () => {},
  };
  const connection = new ClientConnection(
    1,
    null,
    new VanishingClient() as unknown as StreamSocket,
    policy,
    { rsaKeyCache: new Map(), luaError() {} },
  );
  let ended = false;
  const running = connection.run().then(() => ended = true);
  for (let waited = 0; !(ended && backendClosed) && waited < 3000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(ended, "run() never settled: the server would keep the connection for ever");
  assert.ok(backendClosed, "the logged-in backend connection was left open");
  assert.equal(commandPhaseCalls, 0, "on_command_phase ran for a closed session");
  await running;
});
