/**
 * One accepted connection of the fake MySQL server: packet-level reads and
 * writes plus helpers for the packets tests send most.
 * @module
 */

import { type FramedPayload, PacketFramer } from "../../../src/mysql/framer.ts";
import { framePackets } from "../../../src/mysql/writer.ts";
import {
  buildServerGreeting,
  type HandshakeResponse,
  parseHandshakeResponse,
} from "../../../src/mysql/handshake.ts";
import {
  buildEof,
  buildErr,
  buildOk,
  type ErrFields,
  type OkFields,
} from "../../../src/mysql/response.ts";
import {
  buildColumnCount,
  buildColumnDefinition,
  buildTextRow,
  type ColumnDefinitionFields,
} from "../../../src/mysql/resultset.ts";
import type { ByteString } from "../../../src/mysql/writer.ts";
import { AuthPlugin, Capability, hasCapability, Header } from "../../../src/mysql/constants.ts";
import type { FakeRsaKeys } from "./rsa.ts";

/** Capabilities of the fake greeting by default: a MySQL 8 without SSL/compression. */
export const FAKE_SERVER_CAPABILITIES = (Capability.LONG_PASSWORD | Capability.FOUND_ROWS |
  Capability.LONG_FLAG | Capability.CONNECT_WITH_DB | Capability.PROTOCOL_41 |
  Capability.TRANSACTIONS | Capability.SECURE_CONNECTION | Capability.MULTI_STATEMENTS |
  Capability.MULTI_RESULTS | Capability.PS_MULTI_RESULTS | Capability.PLUGIN_AUTH |
  Capability.CONNECT_ATTRS | Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA |
  Capability.SESSION_TRACK | Capability.DEPRECATE_EOF) >>> 0;

/** The peer closed the connection (or the server is shutting down). */
export class FakeConnectionClosed extends Error {
  override name = "FakeConnectionClosed";
}

/** Options of `sendGreeting`. */
export interface GreetingOptions {
  readonly authPluginName?: string;
  /** 20 bytes; random by default. */
  readonly authData?: Uint8Array;
  readonly serverVersion?: string;
  readonly capabilities?: number;
  readonly connectionId?: number;
  readonly charset?: number;
  readonly status?: number;
}

/** What the server shares with its connections. */
export interface FakeServerContext {
  readonly transport: "tcp" | "unix";
  /** The server's RSA key pair, generated on first use. */
  rsaKeys(): Promise<FakeRsaKeys>;
}

/** A packet read from the client. */
export type Packet = FramedPayload;

/** A connection to a client of the fake server. */
export class FakeMysqlConnection {
  /** 1 for the first accepted connection, and so on. */
  readonly id: number;
  readonly context: FakeServerContext;
  /** Encoding capabilities for OK/ERR; set from the HandshakeResponse. */
  capabilities: number = FAKE_SERVER_CAPABILITIES;
  /** The capabilities of the last greeting sent. */
  greetingCapabilities: number = FAKE_SERVER_CAPABILITIES;
  /** The nonce of the last greeting sent. */
  nonce: Uint8Array = new Uint8Array(0);
  /** The client's HandshakeResponse once read. */
  handshake: HandshakeResponse | null = null;
  readonly #conn: Deno.Conn;
  readonly #framer = new PacketFramer({ maxPayload: 64 * 1024 * 1024 });
  readonly #buffer = new Uint8Array(64 * 1024);
  #closed = false;

  constructor(conn: Deno.Conn, id: number, context: FakeServerContext) {
    this.#conn = conn;
    this.id = id;
    this.context = context;
  }

  /** Whether `close()` ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a HandshakeV10 greeting (sequence 0); returns its nonce. */
  async sendGreeting(options: GreetingOptions = {}): Promise<Uint8Array> {
    this.nonce = options.authData ?? randomNonce(20);
    this.greetingCapabilities = options.capabilities ?? FAKE_SERVER_CAPABILITIES;
    await this.writePacket(
      0,
      buildServerGreeting({
        serverVersion: options.serverVersion ?? "8.0.33-fake",
        connectionId: options.connectionId ?? this.id,
        authData: this.nonce,
        capabilities: this.greetingCapabilities,
        charset: options.charset ?? 0xff,
        status: options.status ?? 0x0002,
        authPluginName: options.authPluginName ?? AuthPlugin.NATIVE_PASSWORD,
      }),
    );
    return this.nonce;
  }

  /** Reads the next packet; throws `FakeConnectionClosed` at end of stream. */
  async readPacket(): Promise<Packet> {
    for (;;) {
      const packet = this.#framer.next();
      if (packet !== null) return packet;
      let n: number | null;
      try {
        n = await this.#conn.read(this.#buffer);
      } catch (e) {
        throw new FakeConnectionClosed("Connection closed while reading", { cause: e });
      }
      if (n === null) throw new FakeConnectionClosed("Client closed the connection");
      this.#framer.push(this.#buffer.subarray(0, n));
    }
  }

  /** Reads and parses the HandshakeResponse; sets `handshake` and `capabilities`. */
  async readHandshakeResponse(): Promise<{ packet: Packet; response: HandshakeResponse }> {
    const packet = await this.readPacket();
    const response = parseHandshakeResponse(packet.payload, this.greetingCapabilities);
    this.handshake = response;
    this.capabilities = response.capabilities;
    return { packet, response };
  }

  /** Reads until the client closes the connection, discarding what arrives. */
  async waitForClose(): Promise<void> {
    try {
      for (;;) await this.readPacket();
    } catch (e) {
      if (!(e instanceof FakeConnectionClosed)) throw e;
    }
  }

  /** Frames and writes one payload. */
  async writePacket(sequenceId: number, payload: Uint8Array): Promise<void> {
    await this.writeRaw(framePackets(sequenceId & 0xff, payload));
  }

  /** Writes bytes as they are (for malformed or split packets). */
  async writeRaw(bytes: Uint8Array): Promise<void> {
    let written = 0;
    try {
      while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
    } catch (e) {
      throw new FakeConnectionClosed("Connection closed while writing", { cause: e });
    }
  }

  /** Sends an OK packet encoded for the client's capabilities. */
  async sendOk(sequenceId: number, ok: OkFields = {}): Promise<void> {
    await this.writePacket(sequenceId, buildOk({ status: 0x0002, ...ok }, this.capabilities));
  }

  /** Sends an ERR packet (default: 1045 access denied). */
  async sendErr(sequenceId: number, err: Partial<ErrFields> = {}): Promise<void> {
    const user = new TextDecoder().decode(this.handshake?.user ?? new Uint8Array(0));
    await this.writePacket(
      sequenceId,
      buildErr({
        code: err.code ?? 1045,
        sqlState: err.sqlState ?? "28000",
        message: err.message ??
          `Access denied for user '${user}'@'localhost' (using password: YES)`,
      }, this.capabilities),
    );
  }

  /** Sends an AuthSwitchRequest: `0xFE`, plugin name, NUL, data. */
  async sendAuthSwitch(sequenceId: number, plugin: string, data: Uint8Array): Promise<void> {
    const name = new TextEncoder().encode(plugin);
    const payload = new Uint8Array(2 + name.length + data.length);
    payload[0] = Header.AUTH_SWITCH;
    payload.set(name, 1);
    payload.set(data, 2 + name.length);
    await this.writePacket(sequenceId, payload);
  }

  /**
   * Sends a text result set starting at `sequenceId`; returns the sequence id
   * after it. Columns are names or full definitions; `deprecateEof` defaults
   * to what the client negotiated.
   */
  async sendResultSet(
    sequenceId: number,
    columns: readonly (string | ColumnDefinitionFields)[],
    rows: readonly (readonly (ByteString | null)[])[],
    options: { deprecateEof?: boolean; status?: number } = {},
  ): Promise<number> {
    const deprecateEof = options.deprecateEof ??
      hasCapability(this.capabilities, Capability.DEPRECATE_EOF);
    const status = options.status ?? 0x0002;
    const payloads: Uint8Array[] = [buildColumnCount(columns.length)];
    for (const c of columns) {
      payloads.push(buildColumnDefinition(typeof c === "string" ? { name: c } : c));
    }
    if (!deprecateEof) payloads.push(buildEof({ status }, this.capabilities));
    for (const row of rows) payloads.push(buildTextRow(row));
    payloads.push(
      deprecateEof
        ? buildOk({ status }, this.capabilities, Header.EOF)
        : buildEof({ status }, this.capabilities),
    );
    const frames = payloads.map((p, i) => framePackets((sequenceId + i) & 0xff, p));
    const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    frames.reduce((at, f) => (all.set(f, at), at + f.length), 0);
    await this.writeRaw(all);
    return (sequenceId + payloads.length) & 0xff;
  }

  /** Closes the connection (idempotent); a pending `readPacket()` then throws. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the runtime.
    }
  }
}

/** Random nonce bytes without NUL (mysqld avoids NUL so it can NUL-terminate). */
export function randomNonce(length: number): Uint8Array {
  const nonce = crypto.getRandomValues(new Uint8Array(length));
  for (let i = 0; i < nonce.length; i++) if (nonce[i] === 0) nonce[i] = 1;
  return nonce;
}
