/**
 * The fake CDC server's data model and its rendering as MaxScale writes it:
 * the Avro schema record (compact) and jansson-style row objects
 * (`{"domain": 0, "server_id": 3000, …}`), metadata first, clashing column
 * names with a trailing `_`.
 * @module
 */

/** A column of a fake table, with its SQL name. */
export interface FakeColumn {
  readonly name: string;
  /** Avro type (default `["null", "string"]`). */
  readonly type?: unknown;
  /** SQL type (default `varchar`). */
  readonly realType?: string;
  readonly length?: number;
  readonly unsigned?: boolean;
}

/** One version of a table's schema (one `db.table.NNNNNN.avro` file). */
export interface FakeTableVersion {
  readonly version: number;
  readonly columns: readonly FakeColumn[];
  /** GTID the version was created at (default `0-3000-1`). */
  readonly gtid?: string;
}

/** One row event. Omitted metadata gets defaults. */
export interface FakeRow {
  readonly domain?: number;
  readonly serverId?: number;
  readonly sequence: number | bigint;
  readonly eventNumber?: number;
  readonly timestamp?: number;
  readonly eventType?: "insert" | "update_before" | "update_after" | "delete";
  /** Schema version the row belongs to (default: the newest at `addRows`). */
  readonly version?: number;
  /** Values by SQL column name (renamed on output like MaxScale does). */
  readonly values?: Readonly<Record<string, unknown>>;
  /** Sent verbatim instead of the rendered row (malformed-line tests). */
  readonly line?: string;
}

/** A row with its defaults resolved. */
export interface StoredRow extends FakeRow {
  readonly domain: number;
  readonly serverId: number;
  readonly version: number;
}

/** Metadata names; columns with these names get a trailing `_`. */
export const METADATA_NAMES = [
  "domain",
  "server_id",
  "sequence",
  "event_number",
  "timestamp",
  "event_type",
];

const EVENT_TYPES_ENUM = {
  type: "enum",
  name: "EVENT_TYPES",
  symbols: ["insert", "update_before", "update_after", "delete"],
};

/** The column name as the stream shows it. */
export function streamName(name: string): string {
  return METADATA_NAMES.includes(name) ? `${name}_` : name;
}

/** The Avro schema line (without newline) of a table version. */
export function renderSchema(database: string, table: string, version: FakeTableVersion): string {
  const metadata = METADATA_NAMES.map((name) => ({
    name,
    type: name === "event_type" ? EVENT_TYPES_ENUM : "int",
  }));
  const columns = version.columns.map((column) => ({
    name: streamName(column.name),
    type: column.type ?? ["null", "string"],
    real_type: column.realType ?? "varchar",
    length: column.length ?? -1,
    unsigned: column.unsigned ?? false,
  }));
  return JSON.stringify({
    namespace: "MaxScaleChangeDataSchema.avro",
    type: "record",
    name: "ChangeRecord",
    table,
    database,
    version: version.version,
    gtid: version.gtid ?? "0-3000-1",
    fields: [...metadata, ...columns],
  });
}

function jsonValue(value: unknown): string {
  return typeof value === "bigint" ? value.toString() : JSON.stringify(value ?? null);
}

/** The row line (without newline), jansson style. */
export function renderRow(row: StoredRow): string {
  if (row.line !== undefined) return row.line;
  const entries: [string, unknown][] = [
    ["domain", row.domain],
    ["server_id", row.serverId],
    ["sequence", row.sequence],
    ["event_number", row.eventNumber ?? 1],
    ["timestamp", row.timestamp ?? 1537429419],
    ["event_type", row.eventType ?? "insert"],
  ];
  for (const [name, value] of Object.entries(row.values ?? {})) {
    entries.push([streamName(name), value]);
  }
  return `{${
    entries.map(([key, value]) => `${JSON.stringify(key)}: ${jsonValue(value)}`).join(", ")
  }}`;
}
