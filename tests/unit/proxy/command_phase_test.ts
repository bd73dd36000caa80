import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { StreamSocket } from "../../../src/net/stream_socket.ts";
import { CommandPhase, type CommandPhaseHost } from "../../../src/proxy/command_phase.ts";
import { framePackets } from "../../../src/mysql/writer.ts";
import { Command } from "../../../src/mysql/constants.ts";

/** A socket stand-in whose write() reports "full" on demand. */
class FakeSocket extends EventEmitter {
  paused = false;
  full = false;
  written: Uint8Array[] = [];
  ended = false;
  write(bytes: Uint8Array): boolean {
    this.written.push(bytes);
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
  client.emit("data", query);
  assert.equal(client.paused, true);
  backend.full = false;
  backend.emit("drain");
  assert.equal(client.paused, false);
  phase.close();
});

Deno.test("a full client pauses reading from the backend until it drains", () => {
  const { client, backend, phase } = setup();
  client.full = true;
  backend.emit("data", framePackets(1, new Uint8Array([0, 0, 0, 2, 0, 0, 0])));
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
  client.emit("data", framePackets(0, new Uint8Array([Command.INIT_DB, 0x78])));
  client.emit("data", query);
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
  client.emit("data", receiveBuffer.subarray());
  receiveBuffer.fill(0xee); // the next receive, on any socket
  release();
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(seenPayload, new Uint8Array([Command.INIT_DB, 0x78]));
  assert.deepEqual(backend.written, [query]);
  phase.close();
});
