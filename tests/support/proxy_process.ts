/**
 * Runs myproxy as a child process with a given config.lua, as an operator
 * would: explicit permissions, a temp directory for the config, the log and
 * unix sockets. `await using proxy = await startProxy(lua)` stops it.
 * @module
 */

import { type Child, freePort, spawnChild, tailOf, waitUntil } from "./child.ts";
import { removeTree, tempDir } from "./tmp.ts";
import { LIBC_PATH } from "../../src/os/libc.ts";

/** A running proxy. */
export interface ProxyProcess extends AsyncDisposable {
  /** Directory holding config.lua, proxy.log and sockets (removed by stop). */
  readonly dir: string;
  /** A free TCP port reserved for the config (substituted for `$PORT`). */
  readonly port: number;
  /** `${dir}/proxy.sock` (substituted for `$SOCKET`). */
  readonly socketPath: string;
  readonly child: Child;
  /** The proxy's log so far. */
  log(): Promise<string>;
  /** SIGTERM, wait, remove the directory; returns the exit code. */
  stop(): Promise<number>;
}

/** What a proxy started by tests, the bench or the demo may touch beyond `dir`. */
export interface ProxyAccess {
  /** Extra readable paths (e.g. a config outside `dir`). */
  readonly read?: readonly string[];
  /** Extra environment variables the config reads with os.getenv. */
  readonly env?: readonly string[];
}

/**
 * The permission flags for a proxy child: what `deno task start` grants, with
 * reading and writing scoped to `dir` (config, log, sockets) plus `access`.
 */
export function proxyFlags(dir: string, access: ProxyAccess = {}): string[] {
  const env = [
    "NOTIFY_SOCKET",
    "WATCHDOG_USEC",
    "WATCHDOG_PID",
    "LISTEN_FDS",
    "LISTEN_PID",
    "LISTEN_FDNAMES",
    "MYPROXY_LOG_LEVEL",
    ...access.env ?? [],
  ];
  return [
    "run",
    "--frozen",
    "--cached-only",
    "--allow-net",
    `--allow-read=${[dir, ...access.read ?? []].join(",")}`,
    `--allow-write=${dir}`,
    `--allow-ffi=${LIBC_PATH}`,
    `--allow-env=${env.join(",")}`,
  ];
}

/** The proxy's entry point. */
export const PROXY_MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

/**
 * Writes `lua` (with `$PORT` and `$SOCKET` substituted) and starts the proxy;
 * resolves once it logged `listeners` "Listening on" lines.
 */
export async function startProxy(lua: string, listeners = 1): Promise<ProxyProcess> {
  const dir = (await tempDir("proxy", 0o755)).path;
  const port = freePort();
  const socketPath = `${dir}/proxy.sock`;
  const configPath = `${dir}/config.lua`;
  const logPath = `${dir}/proxy.log`;
  await Deno.writeTextFile(
    configPath,
    lua.replaceAll("$PORT", String(port)).replaceAll("$SOCKET", socketPath),
  );
  const child = await spawnChild(Deno.execPath(), [
    ...proxyFlags(dir),
    PROXY_MAIN,
    "--config",
    configPath,
  ], {
    logFile: logPath,
  });
  const log = () => tailOf(logPath, 10_000);
  try {
    await waitUntil("proxy listening", async () => {
      if (child.exited()) throw new Error(`Proxy exited:\n${await log()}`);
      return ((await log()).match(/Listening on/g) ?? []).length >= listeners;
    }, 20_000);
  } catch (error) {
    await child.stop("SIGKILL");
    await removeTree(dir);
    throw error;
  }
  const stop = async () => {
    await child.stop();
    const status = await child.status;
    await removeTree(dir);
    return status.code;
  };
  return {
    dir,
    port,
    socketPath,
    child,
    log,
    stop,
    [Symbol.asyncDispose]: async () => void await stop(),
  };
}
