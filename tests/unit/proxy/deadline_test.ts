import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { deadline, deadlineState, TICK_MS } from "../../../src/proxy/deadline.ts";
import { ConnectionClosedError, PacketSocket } from "../../../src/proxy/packet_socket.ts";
import type { StreamSocket } from "../../../src/net/stream_socket.ts";
import { framePackets } from "../../../src/mysql/writer.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a deadline fires once, no earlier than asked and within a tick after", async () => {
  const armed = performance.now();
  let firedAt = 0;
  let fired = 0;
  deadline(150, () => {
    fired++;
    firedAt = performance.now();
  });
  while (fired === 0) await sleep(10);
  await sleep(2 * TICK_MS);
  assert.equal(fired, 1);
  assert.ok(firedAt - armed >= 150, `fired after ${firedAt - armed} ms`);
  assert.ok(firedAt - armed < 150 + 3 * TICK_MS, `fired after ${firedAt - armed} ms`);
  assert.deepEqual(deadlineState(), { pending: 0, ticking: false });
});

Deno.test("a cancelled deadline never fires, and the shared timer stops", async () => {
  let fired = 0;
  const kept = deadline(50, () => fired++);
  const cancelled = Array.from({ length: 100 }, () => deadline(50, () => fired += 100));
  for (const entry of cancelled) entry.cancel();
  assert.deepEqual(deadlineState(), { pending: 1, ticking: true });
  await sleep(50 + 3 * TICK_MS);
  assert.equal(fired, 1);
  kept.cancel(); // after firing: a no-op
  assert.deepEqual(deadlineState(), { pending: 0, ticking: false });
});

Deno.test("a callback that throws does not stop the others", async () => {
  const errors: unknown[] = [];
  const originalError = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    let fired = 0;
    deadline(10, () => {
      throw new Error("boom");
    });
    deadline(10, () => fired++);
    await sleep(10 + 3 * TICK_MS);
    assert.equal(fired, 1);
    assert.equal(errors.length, 1);
  } finally {
    console.error = originalError;
  }
});

/** Just enough of a socket for PacketSocket. */
class QuietSocket extends EventEmitter {
  write() {
    return true;
  }
}

Deno.test("a login read with no packet in time fails with ConnectionClosedError", async () => {
  const packets = new PacketSocket(new QuietSocket() as unknown as StreamSocket);
  // Deadlines do not keep the process alive (a real socket in the poller does).
  const keepAlive = setTimeout(() => {}, 5_000);
  const started = performance.now();
  try {
    await assert.rejects(packets.read(100), (error: Error) => {
      assert.ok(error instanceof ConnectionClosedError);
      assert.match(error.message, /No packet within 0\.1 s/);
      return true;
    });
  } finally {
    clearTimeout(keepAlive);
  }
  assert.ok(performance.now() - started >= 100);
  assert.deepEqual(deadlineState(), { pending: 0, ticking: false });
});

Deno.test("a login read answered in time cancels its deadline", async () => {
  const socket = new QuietSocket();
  const packets = new PacketSocket(socket as unknown as StreamSocket);
  const reading = packets.read(10_000);
  assert.deepEqual(deadlineState(), { pending: 1, ticking: true });
  socket.emit("data", framePackets(3, new Uint8Array([1, 2])));
  const packet = await reading;
  assert.equal(packet.sequenceId, 3);
  assert.deepEqual(deadlineState(), { pending: 0, ticking: false });
});
