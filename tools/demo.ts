/**
 * `deno task demo`: a throwaway MariaDB in a temporary directory, myproxy in
 * front of it with lua/demo.lua, and the command to connect through it.
 * Ctrl-C stops both and removes the directory.
 * @module
 */

import { MARIADB_ACCOUNTS, startMariaDb } from "../tests/support/mariadb.ts";
import { freePort, spawnChild } from "../tests/support/child.ts";
import { PROXY_MAIN, proxyFlags } from "../tests/support/proxy_process.ts";

const DEMO_CONFIG = new URL("../lua/demo.lua", import.meta.url).pathname;

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
    [
      ...proxyFlags(db.dir, { read: [DEMO_CONFIG], env: Object.keys(env) }),
      PROXY_MAIN,
      "--config",
      DEMO_CONFIG,
    ],
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
