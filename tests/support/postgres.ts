/**
 * Throwaway PostgreSQL servers for tests: `initdb` into a fresh temp
 * directory, a server on a free 127.0.0.1 port plus a unix socket in that
 * directory, trust authentication for the superuser `postgres`.
 *
 * PostgreSQL refuses to run as root, so when we are root both `initdb` and
 * `postgres` run as the `postgres` user (created by Debian's package) in a
 * directory chowned to it. Tie the server to a scope:
 *
 *     await using pg = await startPostgres();   // stop() runs at scope exit
 *
 * Needs `--allow-run --allow-read --allow-write --allow-net --allow-env`.
 * @module
 */

import postgres from "postgres";
import { freePort, run, spawnChild, tailOf, waitUntil } from "./child.ts";
import { removeTree, tempDir } from "./tmp.ts";

/** A running throwaway server; disposing it stops it. */
export interface Postgres extends AsyncDisposable {
  /** Directory holding the socket `.s.PGSQL.<port>` (also the temp dir). */
  readonly socketDir: string;
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, no password). */
  readonly url: string;
  readonly pid: number;
  /** Runs `sql` as `postgres` over the unix socket and resolves the rows. */
  query(sql: string, params?: (string | number | boolean | null)[]): Promise<unknown[]>;
  /** Fast shutdown (SIGKILL after 10 s), then removes the directory. */
  stop(): Promise<void>;
}

// Quick rather than durable: the data is thrown away anyway.
const SERVER_TUNING = [
  "-c",
  "fsync=off",
  "-c",
  "synchronous_commit=off",
  "-c",
  "full_page_writes=off",
  "-c",
  "shared_buffers=16MB",
];

/** The newest installed PostgreSQL's bin directory, e.g. /usr/lib/postgresql/15/bin. */
async function binDir(): Promise<string> {
  const versions: number[] = [];
  for await (const entry of Deno.readDir("/usr/lib/postgresql")) {
    if (/^\d+$/.test(entry.name)) versions.push(Number(entry.name));
  }
  if (versions.length === 0) throw new Error("No PostgreSQL found in /usr/lib/postgresql");
  return `/usr/lib/postgresql/${Math.max(...versions)}/bin`;
}

/** Starts a throwaway PostgreSQL server; see the module documentation. */
export async function startPostgres(): Promise<Postgres> {
  const dir = (await tempDir("postgres")).path;
  try {
    // A new directory is owned by our euid: root needs another user.
    const user = (await Deno.stat(dir)).uid === 0 ? "postgres" : undefined;
    if (user) await run("chown", [`${user}:`, dir]);
    const bin = await binDir();
    const dataDir = `${dir}/data`;
    await run(`${bin}/initdb`, [
      "--pgdata",
      dataDir,
      "--username=postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ], { user });
    return await launch(bin, dir, dataDir, user);
  } catch (error) {
    await removeTree(dir);
    throw error;
  }
}

async function launch(bin: string, dir: string, dataDir: string, user?: string) {
  const logFile = `${dir}/postgres.log`;
  const port = freePort();
  const child = await spawnChild(`${bin}/postgres`, [
    "-D",
    dataDir,
    "-k",
    dir,
    "-p",
    String(port),
    "-h",
    "127.0.0.1",
    ...SERVER_TUNING,
  ], { logFile, user });
  const sql = postgres({
    path: `${dir}/.s.PGSQL.${port}`,
    user: "postgres",
    database: "postgres",
    max: 1,
    onnotice: () => {},
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      await sql.end({ timeout: 1 }).catch(() => {});
      // SIGINT is PostgreSQL's "fast shutdown": abort sessions, exit at once.
      await child.stop("SIGINT", 10_000);
      await removeTree(dir);
    })();
  try {
    await waitUntil("PostgreSQL to accept connections", async () => {
      if (child.exited()) throw new Error("postgres exited");
      try {
        await sql`SELECT 1`;
        return true;
      } catch {
        return false;
      }
    });
  } catch (error) {
    const log = await tailOf(logFile);
    await stop();
    throw new Error(`PostgreSQL did not start (${dir}):\n${log}`, { cause: error });
  }
  return {
    socketDir: dir,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pid: child.pid,
    query: async (text: string, params: (string | number | boolean | null)[] = []) => [
      ...await sql.unsafe(text, params),
    ],
    stop,
    [Symbol.asyncDispose]: stop,
  } satisfies Postgres;
}
