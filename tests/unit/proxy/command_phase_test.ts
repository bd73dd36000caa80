import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { SocketReceiver, StreamSocket } from "../../../src/net/stream_socket.ts";
import { CommandPhase, type CommandPhaseHost } from "../../../src/proxy/command_phase.ts";
import { framePackets } from "../../../src/mysql/writer.ts";
import { Command } from "../../../src/mysql/constants.ts";

/** A socket stand-in whose write() reports "full" on demand. */
class FakeSocket extends EventEmitter {
  paused = false;
  full = false;
  written: Uint8Array[] = [];
  ended = false;
  receiver: SocketReceiver | null = null;
  /** Hands `length` bytes of `buffer` to the receiver, as the poller does. */
  receive(buffer: Uint8Array, length = buffer.length) {
    this.receiver!.received(buffer, length);
  }
  write(bytes: Uint8Array, length = bytes.length): boolean {
    this.written.push(bytes.slice(0, length));
    return !this.full;
  }
  pause() {
    this.paused = true;
    return this;
  }
  resume() {
    this.paused = false;
    return this;
  }
  end(bytes?: Uint8Array) {
    if (bytes) this.written.push(bytes);
    this.ended = true;
    return this;
  }
  destroy() {
    this.ended = true;
    return this;
  }
}

const host: CommandPhaseHost = {
  handleCommand: () => undefined,
  sendError: () => {},
  log: () => {},
};

function setup() {
  const client = new FakeSocket();
  const backend = new FakeSocket();
  const phase = new CommandPhase(
    host,
    client as unknown as StreamSocket,
    backend as unknown as StreamSocket,
  );
  void phase.run(new Uint8Array(), new Uint8Array());
  return { client, backend, phase };
}

const query = framePackets(0, new Uint8Array([Command.QUERY, 0x31]));

Deno.test("a full backend pauses reading from the client until it drains", () => {
  const { client, backend, phase } = setup();
  backend.full = true;
  client.receive(query);
  assert.equal(client.paused, true);
  backend.full = false;
  backend.emit("drain");
  assert.equal(client.paused, false);
  phase.close();
});

Deno.test("a full client pauses reading from the backend until it drains", () => {
  const { client, backend, phase } = setup();
  client.full = true;
  backend.receive(framePackets(1, new Uint8Array([0, 0, 0, 2, 0, 0, 0])));
  assert.equal(backend.paused, true);
  client.emit("drain");
  assert.equal(backend.paused, false);
  phase.close();
});

/** A phase whose host parks every intercepted command until `release()`. */
function slowSetup(onCommand: (payload: Uint8Array) => void = () => {}) {
  const client = new FakeSocket();
  const backend = new FakeSocket();
  const control = { release: () => {} };
  const slowHost: CommandPhaseHost = {
    ...host,
    handleCommand: (_sequenceId, payload) => {
      onCommand(payload);
      return new Promise<void>((resolve) => control.release = resolve);
    },
  };
  const phase = new CommandPhase(
    slowHost,
    client as unknown as StreamSocket,
    backend as unknown as StreamSocket,
  );
  void phase.run(new Uint8Array(), new Uint8Array());
  return { client, backend, phase, release: () => control.release() };
}

Deno.test("client input held during a callback is processed in order afterwards", async () => {
  const order: string[] = [];
  const { client, backend, phase, release } = slowSetup(() => order.push("init_db"));
  client.receive(framePackets(0, new Uint8Array([Command.INIT_DB, 0x78])));
  client.receive(query);
  assert.deepEqual(order, ["init_db"]);
  assert.equal(backend.written.length, 0, "the query overtook the callback");
  assert.equal(client.paused, true);
  release();
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(backend.written, [query]);
  assert.equal(client.paused, false);
  phase.close();
});

Deno.test("input held during a callback survives reuse of the receive buffer (regression)", async () => {
  // Sockets hand out views of one reused buffer: held bytes must be copies.
  let seenPayload: Uint8Array | undefined;
  const { client, backend, phase, release } = slowSetup((payload) => seenPayload = payload);
  const initDb = framePackets(0, new Uint8Array([Command.INIT_DB, 0x78]));
  const receiveBuffer = new Uint8Array(initDb.length + query.length);
  receiveBuffer.set(initDb);
  receiveBuffer.set(query, initDb.length);
  client.receive(receiveBuffer.subarray());
  receiveBuffer.fill(0xee); // the next receive, on any socket
  release();
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(seenPayload, new Uint8Array([Command.INIT_DB, 0x78]));
  assert.deepEqual(backend.written, [query]);
  phase.close();
});

Deno.test("only the received length of a reused buffer is forwarded, both ways", () => {
  const { client, backend, phase } = setup();
  // The socket's receive buffer is larger than what one receive filled.
  const buffer = new Uint8Array(256).fill(0xee);
  buffer.set(query);
  client.receive(buffer, query.length);
  assert.deepEqual(backend.written, [query]);
  const ok = framePackets(1, new Uint8Array([0, 0, 0, 2, 0, 0, 0]));
  buffer.fill(0xee).set(ok);
  backend.receive(buffer, ok.length);
  assert.deepEqual(client.written, [ok]);
  assert.equal(phase.tracker.atBoundary, true);
  phase.close();
});

Deno.test("an intercepted command in a reused buffer is still intercepted", () => {
  const seen: Uint8Array[] = [];
  const { client, backend, phase } = slowSetup((payload) => seen.push(payload));
  const initDb = framePackets(0, new Uint8Array([Command.INIT_DB, 0x78]));
  const buffer = new Uint8Array(256).fill(0xee);
  buffer.set(initDb);
  client.receive(buffer, initDb.length);
  assert.deepEqual(seen, [new Uint8Array([Command.INIT_DB, 0x78])]);
  assert.equal(backend.written.length, 0);
  phase.close();
});
