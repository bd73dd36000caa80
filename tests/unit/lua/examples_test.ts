import assert from "node:assert/strict";
import { loadConfig } from "../../../src/lua/mod.ts";
import { bytes, FakeSession, handshake, recordingLog, text } from "./_helpers.ts";

const root = new URL("../../../lua/", import.meta.url);
const path = (name: string) => new URL(name, root).pathname;
const quiet = recordingLog().services;

Deno.test("lua/config.lua (the start task's default) loads and connects to the local MariaDB", async () => {
  const { lines, services } = recordingLog();
  const config = await loadConfig(path("config.lua"), services);
  try {
    assert.deepEqual(config.listeners.map((l) => l.address), [
      { family: "inet", host: "127.0.0.1", port: 3307 },
    ]);
    assert.equal(config.hasReload, true);
    const policy = config.listeners[0].policy;
    const session = new FakeSession(null);
    assert.deepEqual(await policy.onConnect(session), { kind: "accept" });
    const root = await policy.onHandshakeResponse(session, handshake("root", "x"));
    assert.equal(root.kind, "err");
    const verdict = await policy.onHandshakeResponse(session, handshake("app", "pw", "shop"));
    assert.deepEqual(verdict.kind === "connect" && verdict.target, {
      family: "inet",
      host: "127.0.0.1",
      port: 3306,
    });
    assert.deepEqual(session.account, bytes("app"));
    await policy.onCommandPhase(session);
    assert.match(lines[0].message, /^logged in after \d+ s$/);
  } finally {
    config.close();
  }
});

Deno.test("examples/account_from_uid.lua maps uids to backend accounts", async () => {
  const config = await loadConfig(path("examples/account_from_uid.lua"), quiet);
  try {
    const policy = config.listeners[0].policy;
    const tcp = new FakeSession(null);
    assert.equal((await policy.onConnect(tcp)).kind, "err");
    const shop = new FakeSession({ pid: 7, uid: 1001, gid: 1001 });
    assert.deepEqual(await policy.onConnect(shop), { kind: "accept" });
    const verdict = await policy.onHandshakeResponse(shop, handshake("anything", "", "db"));
    assert.deepEqual(verdict.kind === "connect" && verdict.credentials, {
      user: bytes("shop"),
      password: bytes("shop-secret"),
      passwordSha1: null,
      database: bytes("db"),
    });
  } finally {
    config.close();
  }
});

Deno.test("examples/init_db_policy.lua allows only the user's own databases", async () => {
  const config = await loadConfig(path("examples/init_db_policy.lua"), quiet);
  try {
    const policy = config.listeners[0].policy;
    assert.equal(policy.handlesInitDb, true);
    const session = new FakeSession();
    assert.equal(
      (await policy.onHandshakeResponse(session, handshake("ann", "pw"))).kind,
      "connect",
    );
    assert.deepEqual(await policy.onInitDb(session, bytes("ann_shop")), {
      kind: "init_db",
      database: bytes("ann_shop"),
    });
    const refused = await policy.onInitDb(session, bytes("bob_shop"));
    assert.equal(
      refused.kind === "err" && text(refused.message),
      "Access denied to database bob_shop",
    );
  } finally {
    config.close();
  }
});

Deno.test("examples/password_sha1.lua sends 20-byte digests and read_only", async () => {
  const config = await loadConfig(path("examples/password_sha1.lua"), quiet);
  try {
    const policy = config.listeners[0].policy;
    const verdict = await policy.onHandshakeResponse(new FakeSession(), handshake("report", ""));
    assert.equal(verdict.kind, "connect");
    if (verdict.kind !== "connect") return;
    assert.equal(verdict.readOnly, true);
    assert.equal(verdict.credentials.password, null);
    const hex = Array.from(
      verdict.credentials.passwordSha1!,
      (b) => b.toString(16).padStart(2, "0"),
    );
    assert.equal(hex.join(""), "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed");
  } finally {
    config.close();
  }
});

Deno.test("examples/systemd.lua listens on systemd sockets and has reload()", async () => {
  const { lines, services } = recordingLog();
  const config = await loadConfig(path("examples/systemd.lua"), services);
  try {
    assert.deepEqual(config.listeners.map((l) => l.address), ["systemd"]);
    assert.equal(config.populateIoBuffers, true);
    await config.reload();
    assert.deepEqual(lines.map((l) => l.message), ["block list cleared"]);
  } finally {
    config.close();
  }
});
