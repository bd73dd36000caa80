import assert from "node:assert/strict";
import { PacketReader } from "../../../src/mysql/reader.ts";
import { MalformedPacketError } from "../../../src/mysql/errors.ts";
import { assertEveryPrefixThrows, hex } from "./_bytes.ts";

type Case = {
  name: string;
  input: string;
  read: (r: PacketReader) => unknown;
  expected: unknown;
  /** Bytes the read needs when the input has more (default: all of it). */
  needs?: number;
};

const cases: Case[] = [
  { name: "u8", input: "fe", read: (r) => r.u8(), expected: 0xfe },
  { name: "u16 little-endian", input: "3412", read: (r) => r.u16(), expected: 0x1234 },
  { name: "u24", input: "563412", read: (r) => r.u24(), expected: 0x123456 },
  {
    name: "u32 with bit 31 stays positive",
    input: "0ff28f81",
    read: (r) => r.u32(),
    expected: 0x818ff20f,
  },
  { name: "u32 max", input: "ffffffff", read: (r) => r.u32(), expected: 0xffffffff },
  { name: "u64 exact", input: "ffffffffffffffff", read: (r) => r.u64(), expected: 2n ** 64n - 1n },
  {
    name: "u64 mixed",
    input: "0100000000000080",
    read: (r) => r.u64(),
    expected: 0x8000000000000001n,
  },
  { name: "lenenc 1 byte", input: "fa", read: (r) => r.lenencInt(), expected: 250 },
  { name: "lenenc 0xfc", input: "fcfb00", read: (r) => r.lenencInt(), expected: 251 },
  { name: "lenenc 0xfd", input: "fdffffff", read: (r) => r.lenencInt(), expected: 0xffffff },
  {
    name: "lenenc 0xfe safe",
    input: "feffffffffffff1f00",
    read: (r) => r.lenencInt(),
    expected: Number.MAX_SAFE_INTEGER,
  },
  {
    name: "lenenc bigint beyond 2^53",
    input: "feffffffffffffffff",
    read: (r) => r.lenencBigInt(),
    expected: 2n ** 64n - 1n,
  },
  { name: "lenenc bigint small", input: "0a", read: (r) => r.lenencBigInt(), expected: 10n },
  { name: "lenenc string", input: "03616263", read: (r) => r.lenencString(), expected: "abc" },
  { name: "lenenc empty string", input: "00", read: (r) => r.lenencString(), expected: "" },
  {
    name: "NUL string",
    input: "61620063",
    read: (r) => [r.nulString(), r.offset],
    expected: ["ab", 3],
    needs: 3,
  },
  {
    name: "fixed bytes",
    input: "01020304",
    read: (r) => Array.from(r.bytes(3)),
    expected: [1, 2, 3],
    needs: 3,
  },
  { name: "rest", input: "616263", read: (r) => (r.skip(1), r.restString()), expected: "bc" },
  { name: "rest of nothing", input: "", read: (r) => r.rest().length, expected: 0 },
];

for (const c of cases) {
  Deno.test(`reader: ${c.name}`, () => {
    const r = new PacketReader(hex(c.input));
    assert.deepEqual(c.read(r), c.expected);
  });
  if (c.input.length > 0 && c.name !== "rest") {
    Deno.test(`reader: ${c.name}: every truncation throws MalformedPacketError`, () => {
      assertEveryPrefixThrows((p) => c.read(new PacketReader(p)), hex(c.input), c.needs);
    });
  }
}

Deno.test("reader: lenenc prefixes 0xfb and 0xff are not integers", () => {
  assert.throws(() => new PacketReader(hex("fb")).lenencInt(), MalformedPacketError);
  assert.throws(() => new PacketReader(hex("ff")).lenencBigInt(), MalformedPacketError);
});

Deno.test("reader: lenencInt refuses values beyond Number.MAX_SAFE_INTEGER", () => {
  assert.throws(
    () => new PacketReader(hex("fe0000000000002000")).lenencInt(),
    MalformedPacketError,
  );
});

Deno.test("reader: a length running past the end throws instead of returning a short view", () => {
  assert.throws(() => new PacketReader(hex("05616263")).lenencBytes(), MalformedPacketError);
  assert.throws(() => new PacketReader(hex("616263")).bytes(4), MalformedPacketError);
  assert.throws(() => new PacketReader(hex("616263")).skip(4), MalformedPacketError);
  assert.throws(() => new PacketReader(hex("")).peek(), MalformedPacketError);
});

Deno.test("reader: a failed read does not move the position", () => {
  const r = new PacketReader(hex("0102"));
  assert.throws(() => r.u32(), MalformedPacketError);
  assert.equal(r.offset, 0);
  assert.equal(r.u16(), 0x0201);
  assert.ok(r.atEnd);
});

Deno.test("reader: views share the payload buffer, copies do not", () => {
  const payload = hex("03616263 03646566");
  const r = new PacketReader(payload);
  const view = r.lenencBytes();
  const copy = r.lenencBytesCopy();
  assert.equal(view.buffer, payload.buffer);
  assert.notEqual(copy.buffer, payload.buffer);
  payload[1] = 0x7a;
  payload[5] = 0x7a;
  assert.equal(new TextDecoder().decode(view), "zbc");
  assert.equal(new TextDecoder().decode(copy), "def");
});

Deno.test("reader: starts at an offset and rejects one outside the payload", () => {
  assert.equal(new PacketReader(hex("ff01"), 1).u8(), 1);
  assert.throws(() => new PacketReader(hex("ff"), 2), MalformedPacketError);
});
