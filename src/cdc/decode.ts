/**
 * Decoding of JSON stream lines into schema and row events. Pure.
 *
 * A line is recognised by its structure, never by a text prefix: a row has
 * all six metadata keys (`domain`, `server_id`, `sequence`, `event_number`,
 * `timestamp`, `event_type`), a schema is an Avro `record` with `fields`.
 * Key order does not matter, and columns named `raw`, `type`, `fields` or
 * `domain_` are just columns.
 *
 * See cdc-protocol.md, "The stream (TYPE=JSON)".
 * @module
 */

import { CdcProtocolError, quote } from "./errors.ts";
import { parseExactJson } from "./exact_json.ts";
import type {
  AvroType,
  ColumnValue,
  RowEvent,
  RowEventType,
  SchemaEvent,
  SchemaField,
} from "./events.ts";

/** Metadata keys of a row, in the server's order. */
export const ROW_METADATA_KEYS = [
  "domain",
  "server_id",
  "sequence",
  "event_number",
  "timestamp",
  "event_type",
] as const;

const METADATA = new Set<string>(ROW_METADATA_KEYS);
const EVENT_TYPES = new Set<string>(["insert", "update_before", "update_after", "delete"]);

type JsonObject = Record<string, unknown>;

function fail(line: string, detail: string, cause?: unknown): never {
  throw new CdcProtocolError(`Malformed stream line: ${detail}: ${quote(line)}`, line, { cause });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function uint(line: string, object: JsonObject, key: string): number {
  const value = object[key];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    fail(line, `"${key}" is not a non-negative integer`);
  }
  return value;
}

function text(line: string, object: JsonObject, key: string): string {
  const value = object[key];
  if (typeof value !== "string") fail(line, `"${key}" is not a string`);
  return value;
}

function decodeRow(line: string, object: JsonObject): RowEvent {
  const domain = uint(line, object, "domain");
  const serverId = uint(line, object, "server_id");
  const rawSequence = object.sequence;
  const sequence = typeof rawSequence === "bigint"
    ? rawSequence
    : typeof rawSequence === "number" && Number.isSafeInteger(rawSequence)
    ? BigInt(rawSequence)
    : fail(line, `"sequence" is not an integer`);
  if (sequence < 0n) fail(line, `"sequence" is negative`);
  const eventType = text(line, object, "event_type");
  if (!EVENT_TYPES.has(eventType)) fail(line, `unknown "event_type" ${JSON.stringify(eventType)}`);
  const values: Record<string, ColumnValue> = {};
  for (const [key, value] of Object.entries(object)) {
    if (METADATA.has(key)) continue;
    if (typeof value === "object" && value !== null) {
      fail(line, `column ${JSON.stringify(key)} is not a scalar`);
    }
    values[key] = value as ColumnValue;
  }
  return {
    kind: "row",
    domain,
    serverId,
    sequence,
    eventNumber: uint(line, object, "event_number"),
    timestamp: uint(line, object, "timestamp"),
    eventType: eventType as RowEventType,
    gtid: `${domain}-${serverId}-${sequence}`,
    values,
    raw: line,
  };
}

function decodeField(line: string, value: unknown, index: number): SchemaField {
  if (!isObject(value)) fail(line, `schema field ${index} is not an object`);
  const name = value.name;
  if (typeof name !== "string") fail(line, `schema field ${index} has no name`);
  const type = value.type;
  if (typeof type !== "string" && typeof type !== "object" || type === null) {
    fail(line, `schema field ${JSON.stringify(name)} has no type`);
  }
  const realType = value.real_type;
  const length = value.length;
  const unsigned = value.unsigned;
  return {
    name,
    type: type as AvroType,
    realType: typeof realType === "string" ? realType : null,
    length: typeof length === "number" ? length : null,
    unsigned: typeof unsigned === "boolean" ? unsigned : null,
    nullable: Array.isArray(type) && type.includes("null"),
  };
}

function decodeSchema(line: string, object: JsonObject): SchemaEvent {
  const fields = object.fields as unknown[];
  const gtid = object.gtid;
  return {
    kind: "schema",
    namespace: text(line, object, "namespace"),
    name: text(line, object, "name"),
    database: text(line, object, "database"),
    table: text(line, object, "table"),
    version: uint(line, object, "version"),
    gtid: typeof gtid === "string" ? gtid : null,
    fields: fields.map((field, index) => decodeField(line, field, index)),
    raw: line,
  };
}

/** Whether a parsed line is a row: it carries every metadata key. */
function isRow(object: JsonObject): boolean {
  return ROW_METADATA_KEYS.every((key) => key in object);
}

/** Whether a parsed line is a schema: an Avro record with a field list. */
function isSchema(object: JsonObject): boolean {
  return object.type === "record" && Array.isArray(object.fields);
}

/**
 * Decodes one JSON line of the stream. Throws {@link CdcProtocolError} for
 * invalid JSON and for objects that are neither a row nor a schema.
 */
export function decodeLine(line: string): SchemaEvent | RowEvent {
  let parsed: unknown;
  try {
    parsed = parseExactJson(line);
  } catch (error) {
    fail(line, `invalid JSON (${(error as Error).message})`, error);
  }
  if (!isObject(parsed)) fail(line, "not a JSON object");
  if (isRow(parsed)) return decodeRow(line, parsed);
  if (isSchema(parsed)) return decodeSchema(line, parsed);
  fail(line, "neither a row (metadata keys missing) nor a schema (no record fields)");
}
