/**
 * Text-protocol result sets: the column count, ColumnDefinition41 and text
 * rows. Used to answer or read simple queries (monitoring probes, fakes).
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset.html
 * and page_protocol_com_query_response_text_resultset_column_definition.html
 * @module
 */

import { Charset } from "./constants.ts";
import { MalformedPacketError } from "./errors.ts";
import { PacketReader } from "./reader.ts";
import { type ByteString, PacketWriter } from "./writer.ts";

/** Column types (`MYSQL_TYPE_*`) a text result set commonly carries. */
export const ColumnType = {
  DECIMAL: 0x00,
  TINY: 0x01,
  SHORT: 0x02,
  LONG: 0x03,
  FLOAT: 0x04,
  DOUBLE: 0x05,
  NULL: 0x06,
  TIMESTAMP: 0x07,
  LONGLONG: 0x08,
  INT24: 0x09,
  DATE: 0x0a,
  TIME: 0x0b,
  DATETIME: 0x0c,
  YEAR: 0x0d,
  VARCHAR: 0x0f,
  BIT: 0x10,
  JSON: 0xf5,
  NEWDECIMAL: 0xf6,
  BLOB: 0xfc,
  VAR_STRING: 0xfd,
  STRING: 0xfe,
} as const;

/** The text-row marker for SQL NULL. */
export const NULL_VALUE = 0xfb;

/** A decoded ColumnDefinition41; byte fields are views of the payload. */
export interface ColumnDefinition {
  readonly catalog: Uint8Array;
  readonly schema: Uint8Array;
  readonly table: Uint8Array;
  readonly orgTable: Uint8Array;
  readonly name: Uint8Array;
  readonly orgName: Uint8Array;
  readonly charset: number;
  readonly columnLength: number;
  readonly type: number;
  readonly flags: number;
  readonly decimals: number;
}

/** What `buildColumnDefinition` needs; only `name` is required. */
export interface ColumnDefinitionFields {
  readonly name: ByteString;
  readonly catalog?: ByteString;
  readonly schema?: ByteString;
  readonly table?: ByteString;
  readonly orgTable?: ByteString;
  readonly orgName?: ByteString;
  readonly charset?: number;
  readonly columnLength?: number;
  readonly type?: number;
  readonly flags?: number;
  readonly decimals?: number;
}

/** Encodes the packet that starts a result set: the column count. */
export function buildColumnCount(count: number): Uint8Array {
  return new PacketWriter(9).lenencInt(count).finish();
}

/** Decodes the column-count packet. */
export function parseColumnCount(payload: Uint8Array): number {
  const r = new PacketReader(payload);
  const count = r.lenencInt();
  if (!r.atEnd) throw new MalformedPacketError("Unexpected bytes after the column count");
  return count;
}

/** Encodes a ColumnDefinition41 (defaults: catalog "def", VAR_STRING, utf8). */
export function buildColumnDefinition(c: ColumnDefinitionFields): Uint8Array {
  const w = new PacketWriter(64);
  w.lenencBytes(c.catalog ?? "def").lenencBytes(c.schema ?? "").lenencBytes(c.table ?? "");
  w.lenencBytes(c.orgTable ?? "").lenencBytes(c.name).lenencBytes(c.orgName ?? "");
  w.lenencInt(0x0c).u16(c.charset ?? Charset.UTF8_GENERAL_CI).u32(c.columnLength ?? 255);
  w.u8(c.type ?? ColumnType.VAR_STRING).u16(c.flags ?? 0).u8(c.decimals ?? 0).zeros(2);
  return w.finish();
}

/** Decodes a ColumnDefinition41. */
export function parseColumnDefinition(payload: Uint8Array): ColumnDefinition {
  const r = new PacketReader(payload);
  const catalog = r.lenencBytes();
  const schema = r.lenencBytes();
  const table = r.lenencBytes();
  const orgTable = r.lenencBytes();
  const name = r.lenencBytes();
  const orgName = r.lenencBytes();
  const fixedLength = r.lenencInt();
  if (fixedLength < 0x0c) {
    throw new MalformedPacketError(`Column definition fixed part of ${fixedLength} bytes`);
  }
  const fixed = new PacketReader(r.bytes(fixedLength));
  const charset = fixed.u16();
  const columnLength = fixed.u32();
  const type = fixed.u8();
  const flags = fixed.u16();
  const decimals = fixed.u8();
  return {
    catalog,
    schema,
    table,
    orgTable,
    name,
    orgName,
    charset,
    columnLength,
    type,
    flags,
    decimals,
  };
}

/** Encodes a text row: each value as a length-encoded string, `null` as 0xFB. */
export function buildTextRow(values: readonly (ByteString | null)[]): Uint8Array {
  const w = new PacketWriter(16 * values.length);
  for (const value of values) {
    if (value === null) w.u8(NULL_VALUE);
    else w.lenencBytes(value);
  }
  return w.finish();
}

/** Decodes a text row of `columnCount` values (views; `null` for SQL NULL). */
export function parseTextRow(payload: Uint8Array, columnCount: number): (Uint8Array | null)[] {
  const r = new PacketReader(payload);
  const values: (Uint8Array | null)[] = [];
  for (let i = 0; i < columnCount; i++) {
    if (r.peek() === NULL_VALUE) {
      r.skip(1);
      values.push(null);
    } else {
      values.push(r.lenencBytes());
    }
  }
  if (!r.atEnd) throw new MalformedPacketError(`Text row has more than ${columnCount} values`);
  return values;
}
