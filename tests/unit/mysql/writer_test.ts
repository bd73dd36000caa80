import assert from "node:assert/strict";
import { framePackets, packetCount, PacketWriter } from "../../../src/mysql/writer.ts";
import { PacketReader } from "../../../src/mysql/reader.ts";
import { MAX_PAYLOAD } from "../../../src/mysql/constants.ts";
import { hex, toHex } from "./_bytes.ts";

const lenencCases: [number | bigint, string][] = [
  [0, "00"],
  [250, "fa"],
  [251, "fcfb00"],
  [0xffff, "fcffff"],
  [0x10000, "fd000001"],
  [0xffffff, "fdffffff"],
  [0x1000000, "fe0000000100000000"],
  [Number.MAX_SAFE_INTEGER, "feffffffffffff1f00"],
  [2n ** 64n - 1n, "feffffffffffffffff"],
];

for (const [value, expected] of lenencCases) {
  Deno.test(`writer: lenenc ${value} is ${expected} and reads back`, () => {
    const payload = new PacketWriter().lenencInt(value).finish();
    assert.equal(toHex(payload), expected);
    assert.equal(new PacketReader(payload).lenencBigInt(), BigInt(value));
  });
}

Deno.test("writer: fixed-width integers, strings and zeros", () => {
  const payload = new PacketWriter(1)
    .u8(0x0a).u16(0x1234).u24(0x123456).u32(0x818ff20f).u64(0x0102030405060708n)
    .nulBytes("ab").lenencBytes("xyz").zeros(2).bytes(Uint8Array.of(9))
    .finish();
  assert.equal(
    toHex(payload),
    "0a" + "3412" + "563412" + "0ff28f81" + "0807060504030201" + "616200" + "0378797a" + "0000" +
      "09",
  );
});

Deno.test("writer: out-of-range values and NUL inside NUL strings are programming errors", () => {
  assert.throws(() => new PacketWriter().u8(256), RangeError);
  assert.throws(() => new PacketWriter().u16(-1), RangeError);
  assert.throws(() => new PacketWriter().u32(2 ** 32), RangeError);
  assert.throws(() => new PacketWriter().u64(-1n), RangeError);
  assert.throws(() => new PacketWriter().lenencInt(1.5), RangeError);
  assert.throws(() => new PacketWriter().nulBytes(Uint8Array.of(1, 0, 2)), RangeError);
});

type FrameCase = { name: string; length: number; firstSeq: number; headers: [number, number][] };

const frameCases: FrameCase[] = [
  { name: "empty payload", length: 0, firstSeq: 0, headers: [[0, 0]] },
  { name: "small payload", length: 5, firstSeq: 3, headers: [[5, 3]] },
  {
    name: "one below the limit",
    length: MAX_PAYLOAD - 1,
    firstSeq: 0,
    headers: [[MAX_PAYLOAD - 1, 0]],
  },
  {
    name: "exactly 0xFFFFFF ends with an empty packet",
    length: MAX_PAYLOAD,
    firstSeq: 0,
    headers: [[MAX_PAYLOAD, 0], [0, 1]],
  },
  {
    name: "0xFFFFFF + 1",
    length: MAX_PAYLOAD + 1,
    firstSeq: 7,
    headers: [[MAX_PAYLOAD, 7], [1, 8]],
  },
  {
    name: "two full packets and an empty one, sequence wrapping",
    length: 2 * MAX_PAYLOAD,
    firstSeq: 255,
    headers: [[MAX_PAYLOAD, 255], [MAX_PAYLOAD, 0], [0, 1]],
  },
];

for (const c of frameCases) {
  Deno.test(`framePackets: ${c.name}`, () => {
    const payload = new Uint8Array(c.length);
    for (let i = 0; i < payload.length; i += 4099) payload[i] = (i / 4099) & 0xff;
    const framed = framePackets(c.firstSeq, payload);
    assert.equal(packetCount(c.length), c.headers.length);
    assert.equal(framed.length, c.length + 4 * c.headers.length);
    let at = 0;
    let src = 0;
    for (const [length, seq] of c.headers) {
      const r = new PacketReader(framed, at);
      assert.deepEqual([r.u24(), r.u8()], [length, seq]);
      const body = r.bytes(length);
      assert.ok(body.every((b, i) => b === payload[src + i]), "body differs");
      src += length;
      at += 4 + length;
    }
    assert.equal(at, framed.length);
  });
}

Deno.test("framePackets: small payload bytes", () => {
  assert.equal(toHex(framePackets(1, hex("0301"))), "020000010301");
  assert.throws(() => framePackets(256, hex("00")), RangeError);
});
