import assert from "node:assert/strict";
import { decodeLine } from "../../../src/cdc/decode.ts";
import { CdcProtocolError } from "../../../src/cdc/errors.ts";
import type { RowEvent, SchemaEvent } from "../../../src/cdc/events.ts";

const SCHEMA = JSON.stringify({
  namespace: "MaxScaleChangeDataSchema.avro",
  type: "record",
  name: "ChangeRecord",
  table: "t1",
  database: "test",
  version: 1,
  gtid: "0-3000-8",
  fields: [
    { name: "domain", type: "int" },
    { name: "server_id", type: "int" },
    { name: "sequence", type: "int" },
    { name: "event_number", type: "int" },
    { name: "timestamp", type: "int" },
    {
      name: "event_type",
      type: {
        type: "enum",
        name: "EVENT_TYPES",
        symbols: ["insert", "update_before", "update_after", "delete"],
      },
    },
    { name: "id", type: ["null", "int"], real_type: "int", length: -1, unsigned: false },
    { name: "amount", type: "long", real_type: "bigint", length: 20, unsigned: true },
  ],
});

const ROW =
  '{"domain": 0, "server_id": 3000, "sequence": 11, "event_number": 1, "timestamp": 1537429419, "event_type": "insert", "id": 1}';

Deno.test("a schema line becomes a schema event with parsed fields", () => {
  const event = decodeLine(SCHEMA) as SchemaEvent;
  assert.equal(event.kind, "schema");
  assert.equal(event.database, "test");
  assert.equal(event.table, "t1");
  assert.equal(event.version, 1);
  assert.equal(event.gtid, "0-3000-8");
  assert.equal(event.raw, SCHEMA);
  assert.equal(event.fields.length, 8);
  assert.deepEqual(event.fields[6], {
    name: "id",
    type: ["null", "int"],
    realType: "int",
    length: -1,
    unsigned: false,
    nullable: true,
  });
  assert.deepEqual(event.fields[7], {
    name: "amount",
    type: "long",
    realType: "bigint",
    length: 20,
    unsigned: true,
    nullable: false,
  });
  assert.deepEqual(event.fields[0], {
    name: "domain",
    type: "int",
    realType: null,
    length: null,
    unsigned: null,
    nullable: false,
  });
});

Deno.test("a row line becomes a row event with metadata apart from values", () => {
  const event = decodeLine(ROW) as RowEvent;
  assert.deepEqual(event, {
    kind: "row",
    domain: 0,
    serverId: 3000,
    sequence: 11n,
    eventNumber: 1,
    timestamp: 1537429419,
    eventType: "insert",
    gtid: "0-3000-11",
    values: { id: 1 },
    raw: ROW,
  });
});

Deno.test("columns named raw, type, fields or domain_ are plain values (regression: prefix guessing)", () => {
  const line = '{"domain": 0, "server_id": 1, "sequence": 2, "event_number": 3, "timestamp": 4, ' +
    '"event_type": "delete", "raw": "r", "type": "record", "fields": "f", "domain_": 7, "kind": "k"}';
  const event = decodeLine(line) as RowEvent;
  assert.equal(event.kind, "row");
  assert.deepEqual(event.values, { raw: "r", type: "record", fields: "f", domain_: 7, kind: "k" });
  assert.equal(event.raw, line);
});

Deno.test("rows and schemas are recognised whatever their key order", () => {
  const row = '{"id": 5, "event_type": "update_after", "timestamp": 9, "event_number": 2, ' +
    '"sequence": 8, "server_id": 3000, "domain": 1}';
  const decoded = decodeLine(row) as RowEvent;
  assert.equal(decoded.kind, "row");
  assert.equal(decoded.gtid, "1-3000-8");
  assert.deepEqual(decoded.values, { id: 5 });
  const schema = JSON.parse(SCHEMA);
  const reordered = JSON.stringify({ fields: schema.fields, ...schema });
  assert.equal(decodeLine(reordered).kind, "schema");
  // A schema starting like a row ({"domain": …) is still a schema.
  const domainFirst = `{"domain": "x", ${SCHEMA.slice(1)}`;
  assert.equal(decodeLine(domainFirst).kind, "schema");
});

Deno.test("64-bit integers stay exact: sequences and BIGINT UNSIGNED values become bigint", () => {
  const line =
    '{"domain": 0, "server_id": 1, "sequence": 18446744073709551615, "event_number": 1, ' +
    '"timestamp": 4, "event_type": "insert", "big": 9007199254740993, "small": 42, "float": 1.5e300, ' +
    '"text": "9007199254740993"}';
  const event = decodeLine(line) as RowEvent;
  assert.equal(event.sequence, 18446744073709551615n);
  assert.equal(event.gtid, "0-1-18446744073709551615");
  assert.deepEqual(event.values, {
    big: 9007199254740993n,
    small: 42,
    float: 1.5e300,
    text: "9007199254740993",
  });
});

Deno.test("values keep JSON types: null, strings, hex for binary, unicode", () => {
  const line = '{"domain": 0, "server_id": 1, "sequence": 2, "event_number": 1, "timestamp": 4, ' +
    '"event_type": "insert", "a": null, "b": "deadbeef", "c": "héllo ✓", "d": -3, "e": true}';
  assert.deepEqual((decodeLine(line) as RowEvent).values, {
    a: null,
    b: "deadbeef",
    c: "héllo ✓",
    d: -3,
    e: true,
  });
});

Deno.test("malformed lines are protocol errors that quote the line", () => {
  const meta = '"domain": 0, "server_id": 1, "sequence": 2, "event_number": 1, "timestamp": 4';
  const cases: [string, RegExp][] = [
    [ROW.slice(0, ROW.length - 5), /invalid JSON/],
    [SCHEMA.slice(0, 40), /invalid JSON/],
    ["", /invalid JSON/],
    ["garbage", /invalid JSON/],
    ["[1, 2]", /not a JSON object/],
    ["null", /not a JSON object/],
    ['"text"', /not a JSON object/],
    ["{}", /neither a row .* nor a schema/],
    [`{${meta}}`, /neither a row/],
    [`{${meta}, "event_type": "upsert"}`, /unknown "event_type" "upsert"/],
    [`{${meta}, "event_type": 1}`, /"event_type" is not a string/],
    [
      `{${meta.replace('"domain": 0', '"domain": -1')}, "event_type": "insert"}`,
      /"domain" is not a non-negative/,
    ],
    [
      `{${meta.replace('"sequence": 2', '"sequence": "2"')}, "event_type": "insert"}`,
      /"sequence" is not an integer/,
    ],
    [
      `{${meta.replace('"sequence": 2', '"sequence": 2.5')}, "event_type": "insert"}`,
      /"sequence" is not an integer/,
    ],
    [`{${meta}, "event_type": "insert", "nested": {"a": 1}}`, /column "nested" is not a scalar/],
    ['{"type": "record", "fields": [1]}', /"namespace" is not a string|schema field 0/],
    [SCHEMA.replace('"version":1', '"version":"1"'), /"version" is not a non-negative integer/],
    [SCHEMA.replace('{"name":"id",', '{"nom":"id",'), /schema field 6 has no name/],
  ];
  for (const [line, pattern] of cases) {
    assert.throws(() => decodeLine(line), (error: Error) => {
      assert.ok(error instanceof CdcProtocolError, `${line}: ${error}`);
      assert.match(error.message, /^Malformed stream line: /);
      assert.match(error.message, pattern, line);
      assert.equal(error.line, line.slice(0, 200));
      return true;
    });
  }
});

Deno.test("error messages cut long lines", () => {
  const line = `{"x": "${"a".repeat(10_000)}"}`;
  assert.throws(() => decodeLine(line), (error: Error) => {
    assert.ok(error.message.length < 400, String(error.message.length));
    assert.match(error.message, /… \(\d+ characters\)$/);
    return true;
  });
});
