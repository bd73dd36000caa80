/**
 * Throwaway MariaDB servers for tests and benchmarks: a fresh data directory
 * under the system temp dir, a server on a free 127.0.0.1 port and a unix
 * socket, and fixture accounts. Nothing survives `stop()`.
 *
 * Always tie the server to a scope so a failing test cannot leak it:
 *
 *     await using db = await startMariaDb();   // stop() runs at scope exit
 *
 * or `try { … } finally { await db.stop(); }`. Should the test process die
 * anyway, `setpriv --pdeathsig` makes the kernel kill the server (the temp
 * directory then stays behind in /tmp as `myproxy-mariadb-*`).
 *
 * Needs `--allow-run --allow-read --allow-write --allow-net --allow-env`.
 * @module
 */

import mysql from "mysql2/promise";
import { type Child, freePort, run, spawnChild, tailOf, waitUntil } from "./child.ts";
import { removeTree, tempDir } from "./tmp.ts";

/** Accounts created by the fixtures; each has all privileges on `test.*` and `other.*`. */
export const MARIADB_ACCOUNTS = {
  /** mysql_native_password. */
  native: { user: "native", password: "native-pw" },
  /** mysql_native_password, meant for logins with `password_sha1` = SHA1("sha1-pw"). */
  sha1: { user: "sha1user", password: "sha1-pw" },
  /** MariaDB's ed25519 plugin (client side: client_ed25519). */
  ed25519: { user: "ed", password: "ed-pw" },
  /** mysql_native_password with the empty password. */
  nopw: { user: "nopw", password: "" },
} as const;

/** The fixture databases. */
export const MARIADB_DATABASES = ["test", "other"] as const;

/** Options for {@linkcode startMariaDb}. */
export interface MariaDbOptions {
  /** Extra `mariadbd` options, appended last (so they override ours). */
  serverArgs?: string[];
  /** Create the fixture databases and accounts; default true. */
  fixtures?: boolean;
}

/** A running throwaway server; disposing it stops it. */
export interface MariaDb extends AsyncDisposable {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly socketPath: string;
  readonly dataDir: string;
  /** The temp directory holding data, socket and `error.log`; removed by stop(). */
  readonly dir: string;
  readonly pid: number;
  /** Runs `sql` as root over the unix socket; resolves the rows (or the OK result). */
  query(sql: string, params?: unknown[]): Promise<unknown>;
  /** Shuts the server down (SIGKILL after 10 s) and removes its directory. */
  stop(): Promise<void>;
}

// Small and quick rather than durable: the data is thrown away anyway.
const SERVER_TUNING = [
  "--skip-log-bin",
  "--skip-name-resolve",
  "--max-allowed-packet=64M",
  "--max-connections=2000",
  "--innodb-buffer-pool-size=32M",
  "--innodb-log-file-size=8M",
  "--innodb-doublewrite=0",
  "--innodb-flush-log-at-trx-commit=0",
  "--sync-binlog=0",
];

const FIXTURES = [
  "INSTALL SONAME 'auth_ed25519'",
  ...MARIADB_DATABASES.map((name) => `CREATE DATABASE ${name}`),
  `CREATE USER native@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('native-pw')`,
  `CREATE USER sha1user@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('sha1-pw')`,
  `CREATE USER ed@'%' IDENTIFIED VIA ed25519 USING PASSWORD('ed-pw')`,
  `CREATE USER nopw@'%'`,
  ...Object.values(MARIADB_ACCOUNTS).flatMap(({ user }) =>
    MARIADB_DATABASES.map((db) => `GRANT ALL ON ${db}.* TO ${user}@'%'`)
  ),
];

/** Starts a throwaway MariaDB server; see the module documentation. */
export async function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDb> {
  const dir = (await tempDir("mariadb")).path;
  try {
    const dataDir = `${dir}/data`;
    const logFile = `${dir}/error.log`;
    await run("mariadb-install-db", [
      "--no-defaults",
      `--datadir=${dataDir}`,
      "--user=root",
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      ...SERVER_TUNING,
    ]);
    const server = await launch(dir, dataDir, logFile, options.serverArgs ?? []);
    return await connectAndSetUp(server, options.fixtures ?? true);
  } catch (error) {
    await removeTree(dir);
    throw error;
  }
}

interface Launched {
  child: Child;
  dir: string;
  dataDir: string;
  socketPath: string;
  port: number;
  logFile: string;
}

/** Starts mariadbd; retries with another port when ours was taken meanwhile. */
async function launch(dir: string, dataDir: string, logFile: string, extra: string[]) {
  const socketPath = `${dir}/mysql.sock`;
  for (let attempt = 1;; attempt++) {
    const port = freePort();
    const child = await spawnChild("mariadbd", [
      "--no-defaults",
      `--datadir=${dataDir}`,
      `--socket=${socketPath}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      "--user=root",
      `--pid-file=${dir}/mariadbd.pid`,
      `--log-error=${logFile}`,
      `--tmpdir=${dir}`,
      ...SERVER_TUNING,
      ...extra,
    ], { logFile });
    const launched: Launched = { child, dir, dataDir, socketPath, port, logFile };
    try {
      await waitUntil("MariaDB to accept connections", () => accepts(launched));
      return launched;
    } catch (error) {
      await child.stop("SIGKILL");
      const log = await tailOf(logFile);
      if (attempt < 3 && /Bind on TCP\/IP port/.test(log)) continue;
      throw new Error(`MariaDB did not start (${dir}):\n${log}`, { cause: error });
    }
  }
}

async function accepts({ child, socketPath, logFile }: Launched): Promise<boolean> {
  if (child.exited()) throw new Error(`mariadbd exited:\n${await tailOf(logFile)}`);
  try {
    const connection = await mysql.createConnection({ socketPath, user: "root" });
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

async function connectAndSetUp(launched: Launched, fixtures: boolean): Promise<MariaDb> {
  const { child, dir, socketPath } = launched;
  let connection: mysql.Connection | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      await connection?.end().catch(() => {});
      await child.stop("SIGTERM", 10_000);
      await removeTree(dir);
    })();
  try {
    connection = await mysql.createConnection({ socketPath, user: "root" });
    if (fixtures) { for (const sql of FIXTURES) await connection.query(sql); }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    host: "127.0.0.1",
    port: launched.port,
    socketPath,
    dataDir: launched.dataDir,
    dir,
    pid: child.pid,
    query: async (sql, params) => (await connection.query(sql, params))[0],
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
