/**
 * One connection of the fake CDC server: the state machine of
 * cdc-protocol.md (auth → register → request → stream), one command per
 * socket read, exact replies and error strings, plus programmable faults.
 * @module
 */

import { checkLogin, type DataRequest, parseRegister, parseRequest } from "./commands.ts";
import { type FakeTableVersion, renderRow, renderSchema, type StoredRow } from "./model.ts";

/** Faults a test can inject into one session. */
export interface SessionFaults {
  /**
   * Raw text sent instead of the real reply to a command, then the server
   * hangs up; `null` hangs up without a reply.
   */
  readonly replies?: {
    readonly auth?: string | null;
    readonly register?: string | null;
    readonly request?: string | null;
  };
  /** Stop answering at this command, keeping the connection open. */
  readonly silentAt?: "auth" | "register" | "request";
  /** After this many rows, send nothing more (connection stays open). */
  readonly silentAfterRows?: number;
  /** Send half of this row (1-based) and hang up. */
  readonly dropMidLineAtRow?: number;
  /** Send half of this row (1-based), then nothing more (connection stays open). */
  readonly stallMidLineAtRow?: number;
  /** After this many rows, send a fatal error line and hang up. */
  readonly fatalAfterRows?: number;
  /** The fatal error line (default `ERR fatal error: MAXAVRO_ERR_IO`). */
  readonly fatalMessage?: string;
}

/** What a session needs from its server. */
export interface SessionHost {
  readonly users: ReadonlyMap<string, string>;
  readonly blankLineAfterReplies: boolean;
  /** Versions of a table, or undefined when it does not exist. */
  versions(key: string): ReadonlyMap<number, FakeTableVersion> | undefined;
  rows(key: string): readonly StoredRow[];
  /** Resolves on the next table or row change. */
  changed(): Promise<void>;
}

type State = "auth" | "register" | "request" | "waiting" | "streaming" | "closed";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fake server connection; inspect it from tests. */
export class FakeSession {
  /** Every command received, one per socket read, verbatim. */
  readonly commands: string[] = [];
  /** Bytes the server has written so far. */
  bytesWritten = 0;
  /** Rows sent so far. */
  rowsSent = 0;
  /** The registered UUID, as MaxScale keeps it (cut at 32 characters). */
  uuid: string | null = null;
  state: State = "auth";
  /** Resolves when the connection is closed and every task has ended. */
  readonly done: Promise<void>;

  readonly #conn: Deno.Conn;
  readonly #host: SessionHost;
  readonly #faults: SessionFaults;
  #closedResolve!: () => void;
  readonly #closed = new Promise<void>((resolve) => this.#closedResolve = resolve);
  #streamTask: Promise<void> = Promise.resolve();

  constructor(conn: Deno.Conn, host: SessionHost, faults: SessionFaults = {}) {
    this.#conn = conn;
    this.#host = host;
    this.#faults = faults;
    this.done = this.#readLoop().then(() => this.#streamTask);
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.state === "closed";
  }

  /** Hangs up. Idempotent. */
  close(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.#closedResolve();
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  async #readLoop(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (!this.closed) {
        const count = await this.#conn.read(buffer);
        if (count === null) break;
        const command = decoder.decode(buffer.subarray(0, count));
        this.commands.push(command);
        await this.#handle(command);
      }
    } catch {
      // Reset by the client or closed by close(): the session ends either way.
    } finally {
      this.close();
    }
  }

  async #write(text: string): Promise<void> {
    const bytes = encoder.encode(text);
    for (let sent = 0; sent < bytes.length;) {
      const count = await this.#conn.write(bytes.subarray(sent));
      sent += count;
      this.bytesWritten += count;
    }
  }

  /** A handshake reply, with the blank line of MaxScale ≥ 23.08 if configured. */
  #reply(text: string): Promise<void> {
    return this.#write(this.#host.blankLineAfterReplies ? `${text}\n\n` : `${text}\n`);
  }

  /** Applies a reply fault; true when the command was handled by it. */
  async #fault(step: "auth" | "register" | "request"): Promise<boolean> {
    if (this.#faults.silentAt === step) {
      this.state = "waiting";
      return true;
    }
    const reply = this.#faults.replies?.[step];
    if (reply === undefined) return false;
    if (reply !== null) await this.#write(reply);
    this.close();
    return true;
  }

  async #handle(command: string): Promise<void> {
    switch (this.state) {
      case "auth":
        if (await this.#fault("auth")) return;
        if (checkLogin(command, this.#host.users)) {
          this.state = "register";
          return await this.#reply("OK");
        }
        await this.#reply("ERROR: Authentication failed");
        return this.close();
      case "register":
        if (await this.#fault("register")) return;
        return await this.#register(command);
      case "request":
        if (await this.#fault("request")) return;
        return await this.#request(command);
      case "streaming":
        if (command === "CLOSE") return this.close();
        return await this.#write("ERR: Unknown command\0");
      default:
        return; // Waiting or silent: commands are ignored.
    }
  }

  async #register(command: string): Promise<void> {
    const uuid = parseRegister(command);
    if (uuid === null) {
      await this.#reply("ERR, code 12, msg: Registration failed");
      return this.close();
    }
    this.uuid = uuid;
    this.state = "request";
    await this.#reply("OK");
  }

  async #request(command: string): Promise<void> {
    const request = parseRequest(command);
    if ("error" in request) return await this.#write(`${request.error}\n`);
    if (this.#startVersion(request) === null) {
      this.state = "waiting";
      const file = `${request.database}.${request.table}.${request.versionText ?? "000001"}.avro`;
      await this.#write(`ERR NO-FILE File '${file}' not found.\n`);
    }
    this.#streamTask = this.#stream(request);
  }

  /** The version file the request names, or null if it does not exist (yet). */
  #startVersion(request: DataRequest): number | null {
    const versions = this.#host.versions(`${request.database}.${request.table}`);
    if (!versions || versions.size === 0) return null;
    if (request.versionText === null) return Math.min(...versions.keys());
    const version = Number(request.versionText);
    return request.versionText.length === 6 && versions.has(version) ? version : null;
  }

  async #stream(request: DataRequest): Promise<void> {
    try {
      let start = this.#startVersion(request);
      while (start === null) {
        await Promise.race([this.#host.changed(), this.#closed]);
        if (this.closed) return;
        start = this.#startVersion(request);
      }
      this.state = "streaming";
      await this.#sendRows(request, start);
    } catch {
      // The connection went away while writing.
    }
  }

  async #sendRows(request: DataRequest, start: number): Promise<void> {
    const key = `${request.database}.${request.table}`;
    const schema = (version: number) =>
      renderSchema(request.database, request.table, this.#host.versions(key)!.get(version)!);
    let sentVersion = start;
    await this.#write(`${schema(start)}\n`);
    let seeking = request.gtid !== null;
    for (let index = 0; !this.closed;) {
      const rows = this.#host.rows(key);
      if (index >= rows.length) {
        await Promise.race([this.#host.changed(), this.#closed]);
        continue;
      }
      const row = rows[index++];
      if (row.version < start) continue;
      if (seeking) {
        const gtid = request.gtid!;
        if (row.domain !== gtid.domain || BigInt(row.sequence) < gtid.sequence) continue;
        seeking = false; // Inclusive: the requested transaction itself is sent.
      }
      if (!await this.#beforeRow()) return;
      if (row.version !== sentVersion) {
        sentVersion = row.version;
        await this.#write(`${schema(row.version)}\n`);
      }
      const line = renderRow(row);
      const half = line.slice(0, Math.ceil(line.length / 2));
      if (this.#faults.dropMidLineAtRow === this.rowsSent + 1) {
        await this.#write(half);
        return this.close();
      }
      if (this.#faults.stallMidLineAtRow === this.rowsSent + 1) {
        await this.#write(half);
        return await this.#closed;
      }
      await this.#write(`${line}\n`);
      this.rowsSent++;
    }
  }

  /** Applies stream faults before the next row; false ends the stream. */
  async #beforeRow(): Promise<boolean> {
    if (this.#faults.fatalAfterRows === this.rowsSent) {
      await this.#write(`${this.#faults.fatalMessage ?? "ERR fatal error: MAXAVRO_ERR_IO"}\n`);
      this.close();
      return false;
    }
    if (this.#faults.silentAfterRows === this.rowsSent) {
      await this.#closed;
      return false;
    }
    return true;
  }
}
