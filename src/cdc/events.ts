/**
 * What a CDC stream yields. Data events (`schema`, `row`) come from the
 * server; `waiting` and `reconnect` tell the caller what the client is doing
 * about a recoverable error.
 * @module
 */

import type { CdcError, CdcNoFileError } from "./errors.ts";

/** An Avro type as the schema writes it: a name, a union, or an object (enum, …). */
export type AvroType = string | readonly AvroType[] | { readonly [key: string]: unknown };

/** One field of a table schema. */
export interface SchemaField {
  readonly name: string;
  readonly type: AvroType;
  /** The SQL type (`int`, `varchar`, …); `null` for the metadata fields. */
  readonly realType: string | null;
  /** The declared length, `-1` when none; `null` for the metadata fields. */
  readonly length: number | null;
  /** `null` for the metadata fields. */
  readonly unsigned: boolean | null;
  /** True when the type is a union containing `"null"`. */
  readonly nullable: boolean;
}

/** The table schema: first line of a stream, and again on every schema change. */
export interface SchemaEvent {
  readonly kind: "schema";
  readonly namespace: string;
  readonly name: string;
  readonly database: string;
  readonly table: string;
  readonly version: number;
  /** The GTID the schema version was created at, if the server says. */
  readonly gtid: string | null;
  /** All fields, the row metadata fields included, in server order. */
  readonly fields: readonly SchemaField[];
  /** The line as received (without the newline). */
  readonly raw: string;
}

/** How a row changed. */
export type RowEventType = "insert" | "update_before" | "update_after" | "delete";

/**
 * A column value: JSON numbers, strings (binary and non-UTF-8 text come as
 * hex), `null`. Integers beyond `Number.MAX_SAFE_INTEGER` are `bigint`, so
 * BIGINT UNSIGNED columns stay exact.
 */
export type ColumnValue = string | number | bigint | boolean | null;

/** One row change. */
export interface RowEvent {
  readonly kind: "row";
  readonly domain: number;
  readonly serverId: number;
  readonly sequence: bigint;
  /** 1-based position within the transaction. */
  readonly eventNumber: number;
  /** Seconds since the epoch. */
  readonly timestamp: number;
  readonly eventType: RowEventType;
  /** `domain-server_id-sequence` of the transaction. */
  readonly gtid: string;
  /**
   * Column values by column name, exactly as the server names them (a column
   * that clashes with a metadata name has a trailing `_`, e.g. `domain_`).
   */
  readonly values: Readonly<Record<string, ColumnValue>>;
  /** The line as received (without the newline). */
  readonly raw: string;
}

/**
 * The table does not exist (yet) and `waitForTable` was set: the server keeps
 * the connection and starts streaming when the table appears.
 */
export interface WaitingEvent {
  readonly kind: "waiting";
  readonly error: CdcNoFileError;
}

/** The connection failed; the client reconnects after `delayMs` and resumes. */
export interface ReconnectEvent {
  readonly kind: "reconnect";
  /** 1 for the first retry after a working connection. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: CdcError;
}

/** Everything a stream yields. */
export type CdcEvent = SchemaEvent | RowEvent | WaitingEvent | ReconnectEvent;

/** The last row delivered to the caller: where a resumed stream continues. */
export interface StreamPosition {
  readonly domain: number;
  readonly serverId: number;
  readonly sequence: bigint;
  readonly eventNumber: number;
}
