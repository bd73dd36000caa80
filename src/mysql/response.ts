/**
 * The generic response packets: OK, ERR and EOF.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html,
 * page_protocol_basic_err_packet.html, page_protocol_basic_eof_packet.html
 * @module
 */

import { Capability, hasCapability, Header, MAX_PAYLOAD, ServerStatus } from "./constants.ts";
import { MalformedPacketError, type MysqlError } from "./errors.ts";
import { PacketReader } from "./reader.ts";
import { type ByteString, PacketWriter } from "./writer.ts";

/** A decoded OK packet. Byte fields are views of the payload. */
export interface OkPacket {
  readonly affectedRows: bigint;
  readonly lastInsertId: bigint;
  /** `ServerStatus` flags (0 when the capabilities carry none). */
  readonly status: number;
  readonly warnings: number;
  /** Human-readable info ("Rows matched: …"), possibly empty. */
  readonly info: Uint8Array;
  /** Session state changes (SESSION_TRACK with SESSION_STATE_CHANGED), else `null`. */
  readonly sessionState: Uint8Array | null;
}

/** What `buildOk` needs; omitted fields are zero/empty. */
export interface OkFields {
  readonly affectedRows?: bigint | number;
  readonly lastInsertId?: bigint | number;
  readonly status?: number;
  readonly warnings?: number;
  readonly info?: ByteString;
  readonly sessionState?: Uint8Array | null;
}

/** A decoded EOF packet. */
export interface EofPacket {
  readonly warnings: number;
  readonly status: number;
}

/** Whether the payload is an ERR packet. */
export function isErr(payload: Uint8Array): boolean {
  return payload.length > 0 && payload[0] === Header.ERR;
}

/** Whether the payload is an OK packet with the `0x00` header. */
export function isOk(payload: Uint8Array): boolean {
  return payload.length > 0 && payload[0] === Header.OK;
}

/**
 * Whether the payload is a classic EOF packet (`0xFE`, shorter than 9 bytes).
 * A row can start with `0xFE` too (an 8-byte length prefix), but then it is
 * at least 9 bytes long.
 */
export function isEof(payload: Uint8Array): boolean {
  return payload.length > 0 && payload[0] === Header.EOF && payload.length < 9;
}

/**
 * Whether the payload ends a result set's rows: an EOF packet, or with
 * DEPRECATE_EOF an OK packet with the `0xFE` header (7+ bytes; a row with a
 * `0xFE` prefix needs at least `MAX_PAYLOAD` bytes).
 */
export function isResultSetEnd(payload: Uint8Array, caps: number): boolean {
  if (payload.length === 0 || payload[0] !== Header.EOF) return false;
  return hasCapability(caps, Capability.DEPRECATE_EOF)
    ? payload.length < MAX_PAYLOAD
    : payload.length < 9;
}

/**
 * Decodes an OK packet (header `0x00`, or `0xFE` for the OK that ends a result
 * set under DEPRECATE_EOF) as encoded for capabilities `caps`.
 */
export function parseOk(payload: Uint8Array, caps: number): OkPacket {
  const r = new PacketReader(payload);
  const header = r.u8();
  if (header !== Header.OK && header !== Header.EOF) {
    throw new MalformedPacketError(`Not an OK packet: header 0x${header.toString(16)}`);
  }
  const affectedRows = r.lenencBigInt();
  const lastInsertId = r.lenencBigInt();
  let status = 0;
  let warnings = 0;
  if (hasCapability(caps, Capability.PROTOCOL_41)) {
    status = r.u16();
    warnings = r.u16();
  } else if (hasCapability(caps, Capability.TRANSACTIONS)) {
    status = r.u16();
  }
  let info: Uint8Array = payload.subarray(payload.length);
  let sessionState: Uint8Array | null = null;
  if (hasCapability(caps, Capability.SESSION_TRACK)) {
    // The server omits the info string when it is empty and nothing follows.
    if (!r.atEnd) info = r.lenencBytes();
    if ((status & ServerStatus.SESSION_STATE_CHANGED) !== 0 && !r.atEnd) {
      sessionState = r.lenencBytes();
    }
  } else {
    info = r.rest();
  }
  return { affectedRows, lastInsertId, status, warnings, info, sessionState };
}

/** Encodes an OK packet for capabilities `caps` (`header` 0xFE for a DEPRECATE_EOF end). */
export function buildOk(ok: OkFields, caps: number, header: number = Header.OK): Uint8Array {
  const w = new PacketWriter();
  w.u8(header).lenencInt(ok.affectedRows ?? 0).lenencInt(ok.lastInsertId ?? 0);
  const sessionState = ok.sessionState ?? null;
  let status = ok.status ?? 0;
  if (sessionState === null) status &= ~ServerStatus.SESSION_STATE_CHANGED;
  if (hasCapability(caps, Capability.PROTOCOL_41)) {
    w.u16(status).u16(ok.warnings ?? 0);
  } else if (hasCapability(caps, Capability.TRANSACTIONS)) {
    w.u16(status);
  }
  const info = ok.info ?? "";
  if (hasCapability(caps, Capability.SESSION_TRACK)) {
    if (info.length > 0 || sessionState !== null) w.lenencBytes(info);
    if (sessionState !== null) w.lenencBytes(sessionState);
  } else {
    w.bytes(info);
  }
  return w.finish();
}

/**
 * Decodes an ERR packet. With PROTOCOL_41 the SQLSTATE follows a `#`; servers
 * omit it for errors sent before the capabilities are known (e.g. an ERR
 * instead of the greeting), so a missing `#` gives SQLSTATE `HY000`.
 */
export function parseErr(payload: Uint8Array, caps: number): MysqlError {
  const r = new PacketReader(payload);
  const header = r.u8();
  if (header !== Header.ERR) {
    throw new MalformedPacketError(`Not an ERR packet: header 0x${header.toString(16)}`);
  }
  const code = r.u16();
  let sqlState = "HY000";
  if (hasCapability(caps, Capability.PROTOCOL_41) && !r.atEnd && r.peek() === 0x23 /* # */) {
    r.skip(1);
    sqlState = r.string(5);
  }
  return { code, sqlState, message: r.restString() };
}

/** What `buildErr` needs; the message may be raw bytes (e.g. from Lua). */
export interface ErrFields {
  readonly code: number;
  readonly sqlState: string;
  readonly message: ByteString;
}

/** Encodes an ERR packet: 4.1 format (`#` and SQLSTATE) when `caps` has PROTOCOL_41. */
export function buildErr(err: ErrFields, caps: number): Uint8Array {
  const w = new PacketWriter(16 + err.message.length * 3);
  w.u8(Header.ERR).u16(err.code);
  if (hasCapability(caps, Capability.PROTOCOL_41)) {
    if (!/^[0-9A-Z]{5}$/.test(err.sqlState)) {
      throw new RangeError(`Invalid SQLSTATE "${err.sqlState}"`);
    }
    w.u8(0x23).bytes(err.sqlState);
  }
  return w.bytes(err.message).finish();
}

/** Decodes a 4.1 EOF packet (`0xFE`, warnings, status). */
export function parseEof(payload: Uint8Array): EofPacket {
  const r = new PacketReader(payload);
  const header = r.u8();
  if (header !== Header.EOF || payload.length >= 9) {
    throw new MalformedPacketError("Not an EOF packet");
  }
  const warnings = r.u16();
  const status = r.u16();
  return { warnings, status };
}

/** Encodes an EOF packet (5 bytes with PROTOCOL_41, else 1). */
export function buildEof(eof: Partial<EofPacket>, caps: number): Uint8Array {
  const w = new PacketWriter(5).u8(Header.EOF);
  if (hasCapability(caps, Capability.PROTOCOL_41)) w.u16(eof.warnings ?? 0).u16(eof.status ?? 0);
  return w.finish();
}
