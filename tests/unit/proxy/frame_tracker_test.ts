import assert from "node:assert/strict";
import { FrameTracker } from "../../../src/proxy/frame_tracker.ts";
import { framePackets } from "../../../src/mysql/writer.ts";

const ok = framePackets(1, new Uint8Array([0x00, 0, 0, 2, 0, 0, 0]));
const row = framePackets(2, new Uint8Array([0x03, 0x61, 0x62, 0x63]));
const stream = new Uint8Array([...ok, ...row]);

Deno.test("the tracker knows sequence ids and packet boundaries at every split", () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const tracker = new FrameTracker();
    tracker.push(stream.subarray(0, cut));
    const inside = cut !== 0 && cut !== ok.length && cut !== stream.length;
    assert.equal(tracker.atBoundary, !inside, `cut at ${cut}`);
    tracker.push(stream.subarray(cut));
    assert.equal(tracker.lastSequenceId, 2);
    assert.ok(tracker.atBoundary);
  }
});

Deno.test("peekNextPacket reports the first payload byte even across chunks", () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const tracker = new FrameTracker();
    const seen: number[] = [];
    tracker.peekNextPacket((b) => seen.push(b));
    tracker.push(stream.subarray(0, cut));
    tracker.push(stream.subarray(cut));
    assert.deepEqual(seen, [0x00], `cut at ${cut}`);
  }
});

Deno.test("peekNextPacket on an empty packet reports -1", () => {
  const tracker = new FrameTracker();
  let seen = 0;
  tracker.peekNextPacket((b) => seen = b);
  tracker.push(new Uint8Array([0, 0, 0, 5]));
  assert.equal(seen, -1);
});
