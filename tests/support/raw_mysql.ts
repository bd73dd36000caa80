/**
 * A deliberately small MySQL client built on the project's codec, for tests
 * that must control every byte (pipelined commands, COM_INIT_DB, garbage,
 * exact sequence ids). Real-client behaviour is tested with `mariadb` and
 * mysql2 instead.
 * @module
 */

import { PacketFramer } from "../../src/mysql/framer.ts";
import { framePackets } from "../../src/mysql/writer.ts";
import {
  buildHandshakeResponse,
  parseServerGreeting,
  type ServerGreeting,
} from "../../src/mysql/handshake.ts";
import { Capability, Command } from "../../src/mysql/constants.ts";
import { isErr, isOk, parseErr } from "../../src/mysql/response.ts";
import { parseColumnCount, parseTextRow } from "../../src/mysql/resultset.ts";
import type { MysqlError } from "../../src/mysql/errors.ts";

/** Capabilities the raw client announces (no DEPRECATE_EOF: classic EOF packets). */
export const RAW_CLIENT_CAPS = (Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION |
  Capability.PLUGIN_AUTH | Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.LONG_PASSWORD |
  Capability.TRANSACTIONS | Capability.MULTI_RESULTS) >>> 0;

const te = new TextEncoder();
const td = new TextDecoder();

/** A received packet. */
export interface RawPacket {
  sequenceId: number;
  payload: Uint8Array;
}

/** A query's outcome: rows of text values, or the server's error. */
export type QueryResult = { rows: (string | null)[][] } | { error: MysqlError };

/** One connection speaking the protocol by hand. */
export class RawMysqlClient {
  readonly #framer = new PacketFramer({ maxPayload: 256 * 1024 * 1024 });
  readonly #buffer = new Uint8Array(65536);
  greeting: ServerGreeting | null = null;

  private constructor(readonly conn: Deno.Conn) {}

  /** Connects to a TCP port on 127.0.0.1 or a unix socket path. */
  static async connect(target: number | string): Promise<RawMysqlClient> {
    const conn = typeof target === "number"
      ? await Deno.connect({ hostname: "127.0.0.1", port: target })
      : await Deno.connect({ transport: "unix", path: target });
    return new RawMysqlClient(conn);
  }

  /** Reads the next packet; null on EOF. */
  async read(): Promise<RawPacket | null> {
    for (;;) {
      const packet = this.#framer.next();
      if (packet) return { sequenceId: packet.sequenceId, payload: packet.payload };
      const n = await this.conn.read(this.#buffer);
      if (n === null) return null;
      this.#framer.push(this.#buffer.slice(0, n));
    }
  }

  /** Reads until the peer closes; true if it did (rather than sending more). */
  async closedByPeer(): Promise<boolean> {
    return (await this.read()) === null;
  }

  /** Writes raw bytes. */
  async writeRaw(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) done += await this.conn.write(bytes.subarray(done));
  }

  /** Frames and writes one payload. */
  send(sequenceId: number, payload: Uint8Array): Promise<void> {
    return this.writeRaw(framePackets(sequenceId, payload));
  }

  /** Reads the greeting and logs in with the clear-text password; returns the final packet. */
  async login(user: string, password: string, database?: string): Promise<RawPacket> {
    const greetingPacket = await this.read();
    if (!greetingPacket) throw new Error("Closed before the greeting");
    this.greeting = parseServerGreeting(greetingPacket.payload);
    const caps = database ? (RAW_CLIENT_CAPS | Capability.CONNECT_WITH_DB) >>> 0 : RAW_CLIENT_CAPS;
    await this.send(
      1,
      buildHandshakeResponse({
        capabilities: caps,
        maxPacketSize: 0x1000000,
        charset: 0x21,
        user,
        authResponse: te.encode(password + "\0"),
        database: database ?? null,
        authPluginName: "mysql_clear_password",
      }),
    );
    const reply = await this.read();
    if (!reply) throw new Error("Closed after the HandshakeResponse");
    return reply;
  }

  /** Sends COM_INIT_DB and returns the reply packet. */
  async initDb(database: string): Promise<RawPacket> {
    await this.send(0, new Uint8Array([Command.INIT_DB, ...te.encode(database)]));
    return (await this.read())!;
  }

  /** Sends COM_QUERY and reads the whole text result. */
  async query(sql: string): Promise<QueryResult> {
    await this.send(0, new Uint8Array([Command.QUERY, ...te.encode(sql)]));
    return await this.readResult();
  }

  /** Reads one query response (OK, ERR, or a text result set with EOF packets). */
  async readResult(): Promise<QueryResult> {
    const first = await this.read();
    if (!first) throw new Error("Closed while waiting for a result");
    if (isErr(first.payload)) return { error: parseErr(first.payload, RAW_CLIENT_CAPS) };
    if (isOk(first.payload)) return { rows: [] };
    const columns = parseColumnCount(first.payload);
    for (let i = 0; i <= columns; i++) await this.read(); // definitions + EOF
    const rows: (string | null)[][] = [];
    for (;;) {
      const packet = (await this.read())!;
      if (packet.payload[0] === 0xfe && packet.payload.length < 9) return { rows };
      if (isErr(packet.payload)) return { error: parseErr(packet.payload, RAW_CLIENT_CAPS) };
      rows.push(parseTextRow(packet.payload, columns).map((v) => v === null ? null : td.decode(v)));
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed by the peer
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** The ERR inside a packet, or null if it is not one. */
export function errorOf(packet: RawPacket): MysqlError | null {
  return isErr(packet.payload) ? parseErr(packet.payload, RAW_CLIENT_CAPS) : null;
}
