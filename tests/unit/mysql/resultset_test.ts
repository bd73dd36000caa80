import assert from "node:assert/strict";
import {
  buildColumnCount,
  buildColumnDefinition,
  buildTextRow,
  ColumnType,
  parseColumnCount,
  parseColumnDefinition,
  parseTextRow,
} from "../../../src/mysql/resultset.ts";
import { MalformedPacketError } from "../../../src/mysql/errors.ts";
import { assertEveryPrefixThrows, bytes, hex, toHex } from "./_bytes.ts";

const READ_ONLY_COLUMN = bytes(
  hex("03"),
  "def",
  hex("00 00 00 12"),
  "@@global.read_only",
  hex("00 0c 3f00 01000000 08 8000 00 0000"),
);

Deno.test("column definition: parses a MariaDB @@global.read_only column", () => {
  const c = parseColumnDefinition(READ_ONLY_COLUMN);
  assert.equal(new TextDecoder().decode(c.name), "@@global.read_only");
  assert.deepEqual(
    [c.charset, c.columnLength, c.type, c.flags, c.decimals],
    [0x3f, 1, ColumnType.LONGLONG, 0x80, 0],
  );
});

Deno.test("column definition: every truncation throws", () => {
  assertEveryPrefixThrows(parseColumnDefinition, READ_ONLY_COLUMN);
});

Deno.test("column definition: build reproduces the literal", () => {
  const built = buildColumnDefinition({
    name: "@@global.read_only",
    charset: 0x3f,
    columnLength: 1,
    type: ColumnType.LONGLONG,
    flags: 0x80,
  });
  assert.equal(toHex(built), toHex(READ_ONLY_COLUMN));
});

Deno.test("column count: round trip and trailing bytes", () => {
  assert.equal(parseColumnCount(buildColumnCount(3)), 3);
  assert.equal(parseColumnCount(buildColumnCount(300)), 300);
  assert.throws(() => parseColumnCount(hex("0100")), MalformedPacketError);
  assertEveryPrefixThrows(parseColumnCount, buildColumnCount(300));
});

const ROW = bytes(hex("01"), "1", hex("fb 00 03"), "abc");

Deno.test("text row: values, NULL and the empty string", () => {
  const values = parseTextRow(ROW, 4);
  assert.deepEqual(values, [bytes("1"), null, new Uint8Array(0), bytes("abc")]);
  assert.equal(toHex(buildTextRow(["1", null, "", bytes("abc")])), toHex(ROW));
});

Deno.test("text row: truncation and extra values throw", () => {
  assertEveryPrefixThrows((p) => parseTextRow(p, 4), ROW);
  assert.throws(() => parseTextRow(ROW, 3), MalformedPacketError);
});
