/**
 * `deno task demo`: a throwaway MariaDB in a temporary directory, myproxy in
 * front of it with lua/demo.lua, and the command to connect through it.
 * Ctrl-C stops both and removes the directory.
 * @module
 */

import { MARIADB_ACCOUNTS, startMariaDb } from "../tests/support/mariadb.ts";
import { freePort, spawnChild } from "../tests/support/child.ts";
import { LIBC_PATH } from "../src/os/libc.ts";

const PROXY_FLAGS = [
  "run",
  "--frozen",
  "--cached-only",
  "--allow-net",
  "--allow-read",
  "--allow-write",
  `--allow-ffi=${LIBC_PATH}`,
  "--allow-env",
];

async function main(): Promise<void> {
  console.log("Starting a throwaway MariaDB …");
  await using db = await startMariaDb();
  const port = freePort();
  const socket = `${db.dir}/myproxy.sock`;
  const env = {
    MYPROXY_DEMO_LISTEN_TCP: `127.0.0.1:${port}`,
    MYPROXY_DEMO_LISTEN_UNIX: socket,
    MYPROXY_DEMO_BACKEND: `127.0.0.1:${db.port}`,
  };
  console.log("Starting myproxy with lua/demo.lua …");
  await using proxy = await spawnChild(
    Deno.execPath(),
    [...PROXY_FLAGS, "src/main.ts", "--config", "lua/demo.lua"],
    { env: { ...Deno.env.toObject(), ...env } },
  );
  const { user, password } = MARIADB_ACCOUNTS.native;
  console.log(`
myproxy is listening on 127.0.0.1:${port} and ${socket}.
Connect through it with:

  mariadb --protocol=TCP -h 127.0.0.1 -P ${port} -u ${user} -p${password} test
  mariadb -S ${socket} -u ${user} -p${password} test

Press Ctrl-C to stop (the MariaDB data directory is removed).
`);
  const stopped = new Promise<void>((resolve) => Deno.addSignalListener("SIGINT", resolve));
  const status = await Promise.race([stopped.then(() => null), proxy.status]);
  if (status) console.error(`myproxy exited with status ${status.code}`);
  console.log("\nStopping …");
}

if (import.meta.main) await main();
