import assert from "node:assert/strict";
import { MARIADB_ACCOUNTS, startMariaDb } from "../support/mariadb.ts";
import { startPostgres } from "../support/postgres.ts";
import { exists } from "../support/tmp.ts";

Deno.test("a throwaway MariaDB answers queries and leaves nothing behind", async () => {
  const db = await startMariaDb();
  let dir: string;
  try {
    dir = db.dir;
    assert.ok(await exists(db.socketPath));
    assert.deepEqual(await db.query("SELECT 1 + 1 AS two"), [{ two: 2 }]);
    const accounts = await db.query(
      "SELECT user AS user, plugin AS plugin FROM mysql.user WHERE host = '%'",
    );
    assert.deepEqual(
      new Map((accounts as { user: string; plugin: string }[]).map((a) => [a.user, a.plugin])),
      new Map([
        ["native", "mysql_native_password"],
        ["sha1user", "mysql_native_password"],
        ["ed", "ed25519"],
        ["nopw", "mysql_native_password"],
      ]),
    );
  } finally {
    await db.stop();
  }
  assert.equal(await exists(dir), false);
  assert.equal(await alive(db.pid), false);
});

Deno.test("every MariaDB fixture account logs in over TCP with its password", async () => {
  await using db = await startMariaDb();
  for (const { user, password } of Object.values(MARIADB_ACCOUNTS)) {
    // The mariadb CLI (Connector/C) speaks client_ed25519, which mysql2 does not.
    const { code, stdout, stderr } = await new Deno.Command("mariadb", {
      args: [
        "--no-defaults",
        "--protocol=tcp",
        `--host=${db.host}`,
        `--port=${db.port}`,
        `--user=${user}`,
        `--password=${password}`,
        "--database=other",
        "--batch",
        "--skip-column-names",
        "--execute=SELECT CURRENT_USER(), DATABASE()",
      ],
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.equal(new TextDecoder().decode(stdout), `${user}@%\tother\n`);
  }
});

Deno.test("a throwaway PostgreSQL answers queries and leaves nothing behind", async () => {
  const pg = await startPostgres();
  const dir = pg.socketDir;
  try {
    assert.deepEqual(await pg.query("SELECT $1::int + 1 AS n", [41]), [{ n: 42 }]);
    assert.match(pg.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  } finally {
    await pg.stop();
  }
  assert.equal(await exists(dir), false);
  assert.equal(await alive(pg.pid), false);
});

/** True while a process with this pid exists (and is not a zombie of ours). */
async function alive(pid: number): Promise<boolean> {
  const { code } = await new Deno.Command("kill", { args: ["-0", String(pid)] }).output();
  return code === 0;
}

Deno.test("a MariaDB that cannot start reports its log and leaves nothing behind", async () => {
  const error = await startMariaDb({ serverArgs: ["--no-such-option"] }).then(
    () => assert.fail("the server started"),
    (error: Error) => error,
  );
  assert.match(error.message, /unknown option '--no-such-option'/);
  const dir = /\((\/[^)]+)\)/.exec(error.message)?.[1];
  assert.ok(dir, error.message);
  assert.equal(await exists(dir), false);
});
