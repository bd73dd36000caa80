/**
 * A protocol-faithful fake MaxScale CDC listener for tests (see
 * cdc-protocol.md): login with SHA1 credentials, `REGISTER`, `REQUEST-DATA`
 * with zero-padded versions and inclusive GTID seek, `NO-FILE` then
 * streaming once the table appears, schema changes mid-stream, and faults a
 * test can program per connection (silence, hang-ups mid-line, fatal errors,
 * arbitrary replies).
 *
 * ```ts
 * await using server = FakeCdcServer.start();
 * server.addTable("shop", "orders", { version: 1, columns: [{ name: "id", realType: "int" }] });
 * server.addRows("shop", "orders", [{ sequence: 8, values: { id: 1 } }]);
 * // connect to server.address as maxuser/maxpwd
 * ```
 * @module
 */

import type { FakeRow, FakeTableVersion, StoredRow } from "./cdc/model.ts";
import { FakeSession, type SessionFaults, type SessionHost } from "./cdc/session.ts";

export type { FakeColumn, FakeRow, FakeTableVersion } from "./cdc/model.ts";
export type { FakeSession, SessionFaults } from "./cdc/session.ts";

/** Options of {@link FakeCdcServer.start}. */
export interface FakeCdcServerOptions {
  /** Accepted users and passwords (default `{ maxuser: "maxpwd" }`). */
  readonly users?: Readonly<Record<string, string>>;
  /** Reply `OK\n\n` like MaxScale ≥ 23.08 instead of `OK\n`. */
  readonly blankLineAfterReplies?: boolean;
  /** Faults for the session with this 0-based index. */
  readonly faults?: (sessionIndex: number) => SessionFaults | undefined;
}

/** The fake server. Close it (or `await using`) to release every socket. */
export class FakeCdcServer implements AsyncDisposable, SessionHost {
  /** `127.0.0.1:port`. */
  readonly address: string;
  readonly port: number;
  /** Every accepted connection, in order. */
  readonly sessions: FakeSession[] = [];
  readonly users: ReadonlyMap<string, string>;
  readonly blankLineAfterReplies: boolean;

  readonly #listener: Deno.TcpListener;
  readonly #faults: FakeCdcServerOptions["faults"];
  readonly #tables = new Map<string, Map<number, FakeTableVersion>>();
  readonly #rows = new Map<string, StoredRow[]>();
  readonly #acceptLoop: Promise<void>;
  #notify!: () => void;
  #change!: Promise<void>;

  private constructor(options: FakeCdcServerOptions) {
    this.users = new Map(Object.entries(options.users ?? { maxuser: "maxpwd" }));
    this.blankLineAfterReplies = options.blankLineAfterReplies ?? false;
    this.#faults = options.faults;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = this.#listener.addr.port;
    this.address = `127.0.0.1:${this.port}`;
    this.#renewChange();
    this.#acceptLoop = this.#accept();
  }

  /** Starts listening on a free loopback port. */
  static start(options: FakeCdcServerOptions = {}): FakeCdcServer {
    return new FakeCdcServer(options);
  }

  /** Adds a table version (a schema file). Waiting requests may start. */
  addTable(database: string, table: string, version: FakeTableVersion): void {
    const key = `${database}.${table}`;
    const versions = this.#tables.get(key) ?? new Map();
    versions.set(version.version, version);
    this.#tables.set(key, versions);
    this.#changed();
  }

  /** Appends rows (of the newest version unless a row says otherwise). */
  addRows(database: string, table: string, rows: readonly FakeRow[]): void {
    const key = `${database}.${table}`;
    const versions = this.#tables.get(key);
    if (!versions) throw new Error(`Fake table "${key}" does not exist`);
    const newest = Math.max(...versions.keys());
    const stored = this.#rows.get(key) ?? [];
    for (const row of rows) {
      stored.push({
        ...row,
        domain: row.domain ?? 0,
        serverId: row.serverId ?? 3000,
        version: row.version ?? newest,
      });
    }
    this.#rows.set(key, stored);
    this.#changed();
  }

  /** Session host: the versions of a table. */
  versions(key: string): ReadonlyMap<number, FakeTableVersion> | undefined {
    return this.#tables.get(key);
  }

  /** Session host: the rows of a table, in binlog order. */
  rows(key: string): readonly StoredRow[] {
    return this.#rows.get(key) ?? [];
  }

  /** Session host: resolves on the next change. */
  changed(): Promise<void> {
    return this.#change;
  }

  /** Resolves once `count` sessions exist. */
  async waitForSessions(count: number, timeoutMs = 5000): Promise<void> {
    await waitUntil(() => this.sessions.length >= count, timeoutMs, `${count} sessions`);
  }

  /** Stops listening, hangs up every session and waits for their tasks. */
  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    await this.#acceptLoop;
    for (const session of this.sessions) session.close();
    await Promise.all(this.sessions.map((session) => session.done));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #renewChange(): void {
    this.#change = new Promise((resolve) => this.#notify = resolve);
  }

  #changed(): void {
    const notify = this.#notify;
    this.#renewChange();
    notify();
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        conn.setNoDelay(true); // Like MaxScale: no Nagle delay between lines.
        const index = this.sessions.length;
        this.sessions.push(new FakeSession(conn, this, this.#faults?.(index)));
      }
    } catch {
      // The listener was closed.
    }
  }
}

/** Polls `predicate` every `intervalMs`; rejects after `timeoutMs`. */
export async function waitUntil(
  predicate: () => boolean,
  timeoutMs = 5000,
  what = "condition",
  intervalMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
