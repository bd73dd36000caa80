/**
 * A programmable fake MySQL server for edge cases no real server produces on
 * demand (after vitess `fakesqldb`). Each accepted connection runs the test's
 * handler; scenarios for common logins live in `fake_mysql/scenarios.ts`.
 *
 * ```ts
 * await using srv = await startFakeMysqlServer((conn) => cachingSha2Login(conn, "pw"));
 * // connect to srv.address …
 * ```
 * @module
 */

import type { SocketAddress } from "../../src/net/address.ts";
import {
  FakeConnectionClosed,
  FakeMysqlConnection,
  type FakeServerContext,
} from "./fake_mysql/connection.ts";
import { type FakeRsaKeys, generateRsaKeys } from "./fake_mysql/rsa.ts";

export {
  FAKE_SERVER_CAPABILITIES,
  FakeConnectionClosed,
  FakeMysqlConnection,
} from "./fake_mysql/connection.ts";
export type { GreetingOptions, Packet } from "./fake_mysql/connection.ts";
export * from "./fake_mysql/scenarios.ts";

/** Runs once per accepted connection; the connection is closed when it returns. */
export type FakeMysqlHandler = (conn: FakeMysqlConnection) => Promise<unknown> | unknown;

/** Options of `startFakeMysqlServer`. */
export interface FakeMysqlServerOptions {
  /** Listen on this unix socket path instead of TCP 127.0.0.1 (random port). */
  readonly path?: string;
}

/** A running fake server. */
export interface FakeMysqlServer extends AsyncDisposable {
  /** Where it listens (`inet` 127.0.0.1:port or `unix` path). */
  readonly address: SocketAddress;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Handler failures (not counting those caused by `close()`). */
  readonly errors: readonly unknown[];
  /** Stops listening, closes every connection and waits for all handlers. */
  close(): Promise<void>;
}

/** Starts a fake server running `handler` for each connection. */
export async function startFakeMysqlServer(
  handler: FakeMysqlHandler,
  options: FakeMysqlServerOptions = {},
): Promise<FakeMysqlServer> {
  const path = options.path;
  if (path !== undefined) await Deno.remove(path).catch(() => {});
  const listener: Deno.Listener = path !== undefined
    ? Deno.listen({ transport: "unix", path })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const address: SocketAddress = path !== undefined
    ? { family: "unix", path }
    : { family: "inet", host: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port };

  let keys: Promise<FakeRsaKeys> | null = null;
  const context: FakeServerContext = {
    transport: path !== undefined ? "unix" : "tcp",
    rsaKeys: () => keys ??= generateRsaKeys(),
  };
  const live = new Set<FakeMysqlConnection>();
  const tasks = new Set<Promise<void>>();
  const errors: unknown[] = [];
  let accepted = 0;
  let closing = false;

  const run = async (conn: FakeMysqlConnection) => {
    try {
      await handler(conn);
    } catch (e) {
      if (!(closing && e instanceof FakeConnectionClosed)) errors.push(e);
    } finally {
      conn.close();
      live.delete(conn);
    }
  };

  const acceptLoop = (async () => {
    for (;;) {
      let raw: Deno.Conn;
      try {
        raw = await listener.accept();
      } catch {
        return; // listener closed
      }
      if (closing) {
        raw.close();
        return;
      }
      const conn = new FakeMysqlConnection(raw, ++accepted, context);
      live.add(conn);
      const task = run(conn);
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  })();

  let closed: Promise<void> | null = null;
  const close = () =>
    closed ??= (async () => {
      closing = true;
      listener.close();
      await acceptLoop;
      for (const conn of live) conn.close();
      await Promise.all([...tasks]);
      if (keys) await keys;
      if (path !== undefined) await Deno.remove(path).catch(() => {});
    })();

  return {
    address,
    get connections() {
      return accepted;
    },
    errors,
    close,
    [Symbol.asyncDispose]: close,
  };
}
