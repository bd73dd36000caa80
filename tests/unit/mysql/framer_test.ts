import assert from "node:assert/strict";
import { PacketFramer } from "../../../src/mysql/framer.ts";
import { framePackets } from "../../../src/mysql/writer.ts";
import { MAX_PAYLOAD } from "../../../src/mysql/constants.ts";
import { MalformedPacketError } from "../../../src/mysql/errors.ts";
import { bytes, hex, toHex } from "./_bytes.ts";

Deno.test("framer: byte-at-a-time input yields each payload once complete", () => {
  const stream = bytes(
    framePackets(0, hex("0a0b0c")),
    framePackets(1, hex("")),
    framePackets(2, hex("ff")),
  );
  const framer = new PacketFramer();
  const got: string[] = [];
  for (const b of stream) {
    framer.push(Uint8Array.of(b));
    for (let p = framer.next(); p !== null; p = framer.next()) {
      got.push(`${p.sequenceId}/${p.lastSequenceId}:${toHex(p.payload)}`);
    }
  }
  assert.deepEqual(got, ["0/0:0a0b0c", "1/1:", "2/2:ff"]);
  assert.equal(framer.bufferedBytes, 0);
});

Deno.test("framer: several packets in one chunk", () => {
  const framer = new PacketFramer();
  framer.push(bytes(framePackets(5, hex("01")), framePackets(6, hex("0203"))));
  assert.equal(toHex(framer.next()!.payload), "01");
  assert.equal(toHex(framer.next()!.payload), "0203");
  assert.equal(framer.next(), null);
});

Deno.test("framer: payloads stay valid after the caller reuses its buffer and more arrives", () => {
  const framer = new PacketFramer();
  const readBuffer = new Uint8Array(64);
  readBuffer.set(framePackets(0, hex("aabbcc")));
  framer.push(readBuffer.subarray(0, 7));
  const first = framer.next()!.payload;
  readBuffer.fill(0x11);
  for (let i = 0; i < 5000; i++) {
    framer.push(framePackets(i & 0xff, new Uint8Array(10).fill(i & 0xff)));
  }
  assert.equal(toHex(first), "aabbcc");
});

for (const length of [MAX_PAYLOAD, MAX_PAYLOAD + 10, 2 * MAX_PAYLOAD]) {
  Deno.test(`framer: reassembles a ${length}-byte payload split over packets`, () => {
    const payload = new Uint8Array(length);
    payload[0] = 1;
    payload[MAX_PAYLOAD - 2] = 2;
    payload[length - 1] = 3;
    const framed = framePackets(254, payload);
    const framer = new PacketFramer({ maxPayload: 3 * MAX_PAYLOAD });
    const cut = MAX_PAYLOAD + 2;
    framer.push(framed.subarray(0, cut));
    assert.equal(framer.next(), null);
    framer.push(framed.subarray(cut));
    const p = framer.next()!;
    assert.equal(p.sequenceId, 254);
    assert.equal(p.lastSequenceId, (254 + Math.floor(length / MAX_PAYLOAD)) & 0xff);
    assert.equal(p.payload.length, length);
    assert.deepEqual([p.payload[0], p.payload[MAX_PAYLOAD - 2], p.payload[length - 1]], [1, 2, 3]);
    assert.equal(framer.next(), null);
  });
}

Deno.test("framer: a payload above the limit throws as soon as its header arrives", () => {
  const framer = new PacketFramer({ maxPayload: 100 });
  framer.push(hex("650000 00"));
  assert.throws(() => framer.next(), MalformedPacketError);
});

Deno.test("framer: a multi-packet payload above the limit throws before it is complete", () => {
  const framer = new PacketFramer({ maxPayload: MAX_PAYLOAD });
  framer.push(hex("ffffff00"));
  framer.push(new Uint8Array(MAX_PAYLOAD));
  framer.push(hex("010000 01"));
  assert.throws(() => framer.next(), MalformedPacketError);
});

Deno.test("framer: a continuation packet with the wrong sequence id throws", () => {
  const framer = new PacketFramer({ maxPayload: 2 * MAX_PAYLOAD });
  framer.push(hex("ffffff00"));
  framer.push(new Uint8Array(MAX_PAYLOAD));
  framer.push(hex("000000 05"));
  assert.throws(() => framer.next(), MalformedPacketError);
});

Deno.test("framer: takeBuffered hands over exactly the unread bytes", () => {
  const framer = new PacketFramer();
  framer.push(bytes(framePackets(2, hex("00")), framePackets(0, hex("0373656c")), hex("0500")));
  assert.equal(toHex(framer.next()!.payload), "00");
  assert.equal(framer.bufferedBytes, 10);
  assert.equal(toHex(framer.takeBuffered()), "04000000" + "0373656c" + "0500");
  assert.equal(framer.bufferedBytes, 0);
  assert.equal(framer.next(), null);
});

Deno.test("framer: a payload owns its bytes and pins no framer buffer (regression)", () => {
  // A kept user name used to be a view of the framer's 16 KiB buffer, which
  // then stayed alive for the whole session: 32 KiB per idle connection.
  const framer = new PacketFramer();
  framer.push(bytes(framePackets(1, hex("0a0b0c")), framePackets(2, hex("0d"))));
  for (const expected of ["0a0b0c", "0d"]) {
    const { payload } = framer.next()!;
    assert.equal(toHex(payload), expected);
    assert.equal(payload.buffer.byteLength, payload.byteLength, "the payload is a view");
  }
});

Deno.test("framer: after takeBuffered it starts over empty and frames new input", () => {
  const framer = new PacketFramer();
  framer.push(bytes(framePackets(0, hex("01")), hex("02")));
  framer.next();
  assert.equal(toHex(framer.takeBuffered()), "02");
  assert.equal(framer.takeBuffered().length, 0);
  framer.push(bytes(framePackets(5, hex("0303"))));
  const framed = framer.next()!;
  assert.equal(framed.sequenceId, 5);
  assert.equal(toHex(framed.payload), "0303");
});
