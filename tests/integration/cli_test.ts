/**
 * The command line as an operator meets it: exit statuses 0/64/78, messages
 * naming file and line, --check, permission advice, clean SIGTERM.
 */

import assert from "node:assert/strict";
import { exists, tempDir } from "../support/tmp.ts";
import { PROXY_MAIN, proxyFlags, startProxy } from "../support/proxy_process.ts";
import { waitUntil } from "../support/child.ts";

const MAIN = PROXY_MAIN;

async function myproxy(dir: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...proxyFlags(dir), MAIN, ...args],
    stdin: "null",
  }).output();
  const td = new TextDecoder();
  return { code: out.code, stdout: td.decode(out.stdout), stderr: td.decode(out.stderr) };
}

const HANDLER = `local h = {}
function h.on_handshake_response(client, hr) return client:err('no') end
`;

Deno.test("--help and --version exit 0", async () => {
  await using dir = await tempDir("cli");
  const help = await myproxy(dir.path, "--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--config PATH/);
  const version = await myproxy(dir.path, "--version");
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^myproxy \d+\.\d+\.\d+/);
});

Deno.test("an unknown option is a usage error (64)", async () => {
  await using dir = await tempDir("cli");
  const r = await myproxy(dir.path, "--frobnicate");
  assert.equal(r.code, 64);
  assert.match(r.stderr, /frobnicate/);
  assert.match(r.stderr, /Usage: myproxy/);
});

Deno.test("a Lua error in the config exits 78 naming file and line", async () => {
  await using dir = await tempDir("cli");
  const path = `${dir.path}/config.lua`;
  await Deno.writeTextFile(path, "local x = 1\nx = x + nil\n");
  const r = await myproxy(dir.path, "--config", path);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /config\.lua:2:/);
});

Deno.test("a config without mysql_listen exits 78", async () => {
  await using dir = await tempDir("cli");
  const path = `${dir.path}/config.lua`;
  await Deno.writeTextFile(path, HANDLER);
  const r = await myproxy(dir.path, "--config", path);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /mysql_listen/);
});

Deno.test("a missing config file exits 78 naming it", async () => {
  await using dir = await tempDir("cli");
  const r = await myproxy(dir.path, "--config", `${dir.path}/nope.lua`);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /nope\.lua/);
});

Deno.test("--check prints the listeners and exits without listening", async () => {
  await using dir = await tempDir("cli");
  const path = `${dir.path}/config.lua`;
  await Deno.writeTextFile(
    path,
    `${HANDLER}mysql_listen('127.0.0.1:1', h)\nmysql_listen('${dir.path}/s.sock', h)\nmysql_listen('@abstract', h)\n`,
  );
  const r = await myproxy(dir.path, "--config", path, "--check");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    `listen 127.0.0.1:1\nlisten ${dir.path}/s.sock\nlisten @abstract\n`,
  );
});

Deno.test("a socket path outside the permission set names the flag to add (78)", async () => {
  await using dir = await tempDir("cli");
  const path = `${dir.path}/config.lua`;
  await Deno.writeTextFile(path, `${HANDLER}mysql_listen('/var/tmp/myproxy-denied.sock', h)\n`);
  const r = await myproxy(dir.path, "--config", path);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /--allow-(read|write)=\/var\/tmp\/myproxy-denied\.sock/);
});

Deno.test("SIGTERM stops the proxy with status 0", async () => {
  const proxy = await startProxy(`${HANDLER}mysql_listen('127.0.0.1:$PORT', h)\n`);
  assert.equal(await proxy.stop(), 0);
});

Deno.test("mysql_listen(systemd) serves a socket passed by systemd-socket-activate", async () => {
  await using dir = await tempDir("cli", 0o755);
  const config = `${dir.path}/config.lua`;
  const socket = `${dir.path}/activated.sock`;
  await Deno.writeTextFile(
    config,
    `local h = {}
function h.on_handshake_response(client, hr) return client:err('activated uid=' .. tostring(client.uid)) end
mysql_listen(systemd, h)
`,
  );
  const child = new Deno.Command("systemd-socket-activate", {
    args: ["-l", socket, Deno.execPath(), ...proxyFlags(dir.path), MAIN, "--config", config],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    await waitUntil("activation socket", () => exists(socket), 10_000);
    const out = await new Deno.Command("mariadb", {
      args: ["-S", socket, "-u", "x", "-px", "-e", "SELECT 1"],
    }).output();
    assert.match(new TextDecoder().decode(out.stderr), /ERROR 1043 \(08S01\): activated uid=0/);
  } finally {
    child.kill("SIGTERM");
    await child.stderr.cancel();
    await child.status;
  }
});

Deno.test("SIGHUP calls the config's reload()", async () => {
  await using proxy = await startProxy(`${HANDLER}
function reload() print('reload ran') end
mysql_listen('127.0.0.1:$PORT', h)
`);
  Deno.kill(proxy.child.pid, "SIGHUP");
  await waitUntil(
    "reload in the log",
    async () => (await proxy.log()).includes("reload ran"),
    10_000,
  );
});

Deno.test("deno task start --check loads lua/config.lua with the task's exact permissions", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "start", "--check"],
    cwd: root,
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.match(new TextDecoder().decode(out.stdout), /^listen /m);
});

Deno.test("a unix listener replaces a stale socket file and is mode 0666", async () => {
  await using dir = await tempDir("cli", 0o755);
  const path = `${dir.path}/stale.sock`;
  // A socket bound by a process that is gone: its file stays behind.
  await new Deno.Command("python3", {
    args: ["-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path],
  }).output();
  assert.ok(await exists(path));
  const config = `${dir.path}/config.lua`;
  await Deno.writeTextFile(config, `${HANDLER}mysql_listen('${path}', h)\n`);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...proxyFlags(dir.path), MAIN, "--config", config],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    await waitUntil("the proxy to answer on the old path", async () => {
      const out = await new Deno.Command("mariadb", {
        args: ["-S", path, "-u", "x", "-px", "-e", "SELECT 1"],
      }).output();
      return new TextDecoder().decode(out.stderr).includes("ERROR 1043");
    }, 10_000);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o666);
  } finally {
    child.kill("SIGTERM");
    await child.stderr.cancel();
    await child.status;
  }
});
