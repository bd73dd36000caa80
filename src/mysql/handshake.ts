/**
 * The connection-phase handshake: the server greeting (HandshakeV10) and the
 * client's HandshakeResponse41, plus the capability rule for backend logins.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html
 * and page_protocol_connection_phase_packets_protocol_handshake_response.html;
 * myproxy-behaviour.md §1–2.
 * @module
 */

import { AuthPlugin, Capability, hasCapability, Header, NONCE_LENGTH } from "./constants.ts";
import { ErrPacketError, MalformedPacketError } from "./errors.ts";
import { PacketReader } from "./reader.ts";
import { parseErr } from "./response.ts";
import { type ByteString, PacketWriter } from "./writer.ts";

/** A decoded server greeting. */
export interface ServerGreeting {
  readonly protocolVersion: number;
  readonly serverVersion: string;
  readonly connectionId: number;
  /** The nonce: part 1 (8 bytes) and part 2 without its trailing NUL, usually 20 bytes (copy). */
  readonly authData: Uint8Array;
  readonly capabilities: number;
  readonly charset: number;
  readonly status: number;
  /** `null` when the server does not announce PLUGIN_AUTH. */
  readonly authPluginName: string | null;
}

/** What `buildServerGreeting` needs. */
export interface ServerGreetingFields {
  readonly serverVersion: ByteString;
  readonly connectionId: number;
  /** At least 20 bytes, none of them NUL-terminated. */
  readonly authData: Uint8Array;
  readonly capabilities: number;
  readonly charset: number;
  readonly status: number;
  readonly authPluginName: string;
}

/** Encodes a HandshakeV10 greeting (sent with sequence id 0). */
export function buildServerGreeting(g: ServerGreetingFields): Uint8Array {
  if (g.authData.length < NONCE_LENGTH) {
    throw new RangeError(
      `Greeting auth data needs ${NONCE_LENGTH} bytes, got ${g.authData.length}`,
    );
  }
  const caps = g.capabilities >>> 0;
  const pluginAuth = hasCapability(caps, Capability.PLUGIN_AUTH);
  const w = new PacketWriter(128);
  w.u8(10).nulBytes(g.serverVersion).u32(g.connectionId);
  w.bytes(g.authData.subarray(0, 8)).u8(0);
  w.u16(caps & 0xffff).u8(g.charset).u16(g.status).u16(caps >>> 16);
  w.u8(pluginAuth ? g.authData.length + 1 : 0).zeros(10);
  if (hasCapability(caps, Capability.SECURE_CONNECTION)) {
    w.bytes(g.authData.subarray(8)).u8(0);
  }
  if (pluginAuth) w.nulBytes(g.authPluginName);
  return w.finish();
}

/**
 * Decodes a server greeting. An ERR packet in its place (too many
 * connections, host blocked, …) throws `ErrPacketError`; anything else that
 * is not a complete protocol-10 greeting throws `MalformedPacketError`.
 */
export function parseServerGreeting(payload: Uint8Array): ServerGreeting {
  if (payload.length > 0 && payload[0] === Header.ERR) {
    throw new ErrPacketError(parseErr(payload, Capability.PROTOCOL_41));
  }
  const r = new PacketReader(payload);
  const protocolVersion = r.u8();
  if (protocolVersion !== 10) {
    throw new MalformedPacketError(`Unsupported protocol version ${protocolVersion}`);
  }
  const serverVersion = r.nulString();
  const connectionId = r.u32();
  const part1 = r.bytes(8);
  r.skip(1);
  const capsLow = r.u16();
  const charset = r.u8();
  const status = r.u16();
  const capabilities = (capsLow | (r.u16() << 16)) >>> 0;
  const authDataLength = r.u8();
  r.skip(10);
  let part2: Uint8Array = payload.subarray(0, 0);
  if (hasCapability(capabilities, Capability.SECURE_CONNECTION)) {
    part2 = r.bytes(Math.max(13, authDataLength - 8));
    // The nonce is NUL-terminated on the wire; the NUL is not part of it.
    if (part2[part2.length - 1] === 0) part2 = part2.subarray(0, part2.length - 1);
  }
  const authData = new Uint8Array(part1.length + part2.length);
  authData.set(part1);
  authData.set(part2, part1.length);
  const authPluginName = hasCapability(capabilities, Capability.PLUGIN_AUTH) ? r.nulString() : null;
  return {
    protocolVersion,
    serverVersion,
    connectionId,
    authData,
    capabilities,
    charset,
    status,
    authPluginName,
  };
}

/** A decoded HandshakeResponse41. Byte fields are copies (they outlive the packet). */
export interface HandshakeResponse {
  readonly capabilities: number;
  readonly maxPacketSize: number;
  readonly charset: number;
  readonly user: Uint8Array;
  readonly authResponse: Uint8Array;
  /** `null` without CONNECT_WITH_DB; may be empty. */
  readonly database: Uint8Array | null;
  /** `null` without PLUGIN_AUTH. */
  readonly authPluginName: string | null;
}

/** What `buildHandshakeResponse` needs. */
export interface HandshakeResponseFields {
  readonly capabilities: number;
  readonly maxPacketSize: number;
  readonly charset: number;
  readonly user: ByteString;
  readonly authResponse: Uint8Array;
  /** Written when `capabilities` has CONNECT_WITH_DB (`null` → empty). */
  readonly database: ByteString | null;
  /** Written when `capabilities` has PLUGIN_AUTH (`null` → empty). */
  readonly authPluginName: string | null;
}

/**
 * Decodes a HandshakeResponse41 as laid out by the client's own capability
 * flags. The pre-4.1 format (no PROTOCOL_41) and an SSLRequest (which stops
 * after the 32 fixed bytes) throw `MalformedPacketError`. Connection
 * attributes are skipped; bytes after the last field are ignored.
 *
 * Clients keep flags in the packet that the server did not offer but lay the
 * packet out by the flags both sides share (MariaDB Connector/C sets
 * CONNECT_ATTRS yet sends no attributes to a server without it), so the
 * layout follows `capabilities & serverCapabilities`, which is also what is
 * returned as `capabilities`.
 */
export function parseHandshakeResponse(
  payload: Uint8Array,
  serverCapabilities = 0xffffffff,
): HandshakeResponse {
  const r = new PacketReader(payload);
  const capabilities = (r.u32() & serverCapabilities) >>> 0;
  if (!hasCapability(capabilities, Capability.PROTOCOL_41)) {
    throw new MalformedPacketError("HandshakeResponse320 (pre-4.1 protocol) is not supported");
  }
  const maxPacketSize = r.u32();
  const charset = r.u8();
  r.skip(23);
  const user = r.nulBytesCopy();
  let authResponse: Uint8Array;
  if (hasCapability(capabilities, Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
    authResponse = r.lenencBytesCopy();
  } else if (hasCapability(capabilities, Capability.SECURE_CONNECTION)) {
    authResponse = r.bytesCopy(r.u8());
  } else {
    authResponse = r.nulBytesCopy();
  }
  const database = hasCapability(capabilities, Capability.CONNECT_WITH_DB)
    ? r.nulBytesCopy()
    : null;
  const authPluginName = hasCapability(capabilities, Capability.PLUGIN_AUTH) ? r.nulString() : null;
  if (hasCapability(capabilities, Capability.CONNECT_ATTRS)) r.skip(r.lenencInt());
  return { capabilities, maxPacketSize, charset, user, authResponse, database, authPluginName };
}

/**
 * Encodes a HandshakeResponse41 laid out by `capabilities`. With CONNECT_ATTRS
 * an empty attribute block is written.
 */
export function buildHandshakeResponse(h: HandshakeResponseFields): Uint8Array {
  const caps = h.capabilities >>> 0;
  const w = new PacketWriter(128);
  w.u32(caps).u32(h.maxPacketSize).u8(h.charset).zeros(23).nulBytes(h.user);
  if (hasCapability(caps, Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
    w.lenencBytes(h.authResponse);
  } else if (hasCapability(caps, Capability.SECURE_CONNECTION)) {
    if (h.authResponse.length > 0xff) {
      throw new RangeError(
        `Auth response of ${h.authResponse.length} bytes needs lenenc client data`,
      );
    }
    w.u8(h.authResponse.length).bytes(h.authResponse);
  } else {
    w.nulBytes(h.authResponse);
  }
  if (hasCapability(caps, Capability.CONNECT_WITH_DB)) w.nulBytes(h.database ?? "");
  if (hasCapability(caps, Capability.PLUGIN_AUTH)) w.nulBytes(h.authPluginName ?? "");
  if (hasCapability(caps, Capability.CONNECT_ATTRS)) w.lenencInt(0);
  return w.finish();
}

const BACKEND_REMOVED = Capability.CONNECT_WITH_DB | Capability.COMPRESS | Capability.SSL |
  Capability.CONNECT_ATTRS;

/**
 * Client flags for the proxy's HandshakeResponse to a backend
 * (myproxy-behaviour.md §2): the client's flags plus PROTOCOL_41 and
 * SECURE_CONNECTION (MariaDB requires it), minus CONNECT_WITH_DB, COMPRESS,
 * SSL and CONNECT_ATTRS, plus CONNECT_WITH_DB when a database is set, plus
 * PLUGIN_AUTH and PLUGIN_AUTH_LENENC_CLIENT_DATA.
 */
export function backendClientFlags(clientCaps: number, hasDatabase: boolean): number {
  let flags = (clientCaps | Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION) &
    ~BACKEND_REMOVED;
  if (hasDatabase) flags |= Capability.CONNECT_WITH_DB;
  flags |= Capability.PLUGIN_AUTH | Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA;
  return flags >>> 0;
}

/** The plugin a greeting without PLUGIN_AUTH implies. */
export const DEFAULT_AUTH_PLUGIN = AuthPlugin.NATIVE_PASSWORD;
