import assert from "node:assert/strict";
import { FdSocket, SystemError } from "../../../src/os/fd_socket.ts";
import { thePoller } from "../../../src/os/poller.ts";
import {
  connectFdSocket,
  FdListener,
  isListeningFd,
  listenFd,
  socketPair,
} from "../../../src/os/sockets.ts";
import { freePort } from "../../support/child.ts";

/** A listener on a free loopback port and a connected pair of sockets. */
async function pair() {
  const port = freePort();
  const address = { family: "inet", host: "127.0.0.1", port } as const;
  let accepted!: (socket: FdSocket) => void;
  const server = new Promise<FdSocket>((resolve) => accepted = resolve);
  const listener = new FdListener(listenFd(address), "test", accepted, true, (e) => {
    throw e;
  });
  const client = connectFdSocket(address);
  await new Promise((resolve) => client.once("connect", resolve));
  const peer = await server;
  listener.close();
  return { client, peer };
}

function closed(socket: FdSocket): Promise<void> {
  return socket.destroyed ? Promise.resolve() : new Promise((r) => socket.once("close", r));
}

async function settle(...sockets: FdSocket[]) {
  for (const socket of sockets) socket.destroy();
  await Promise.all(sockets.map(closed));
  await thePoller().stopped();
}

function collect(socket: FdSocket): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  // A chunk is valid only during the call: keep copies.
  socket.on("data", (chunk) => chunks.push(chunk.slice()));
  return chunks;
}

const total = (chunks: Uint8Array[]) => chunks.reduce((n, c) => n + c.length, 0);

Deno.test("a receiver takes the bytes instead of 'data' listeners, as (buffer, length)", async () => {
  const { client, peer } = await pair();
  const got: Uint8Array[] = [];
  let dataEvents = 0;
  peer.on("data", () => dataEvents++);
  peer.receiver = {
    received(buffer, length) {
      assert.ok(length <= buffer.length);
      got.push(buffer.slice(0, length));
    },
  };
  client.write(new TextEncoder().encode("through the receiver"));
  await new Promise<void>((resolve) => {
    const check = () => total(got) === 20 ? resolve() : setTimeout(check, 5);
    check();
  });
  assert.equal(new TextDecoder().decode(got[0]), "through the receiver");
  assert.equal(dataEvents, 0);
  await settle(client, peer);
});

Deno.test("write(bytes, length) sends only the first length bytes, also when queued", async () => {
  const { client, peer } = await pair();
  peer.pause();
  const got = collect(peer);
  const block = new Uint8Array(1 << 20).fill(7);
  let sent = 0;
  // Each write sends all but the last byte, which is 0xee and must never arrive.
  block[block.length - 1] = 0xee;
  for (let more = true; more;) {
    more = client.write(block, block.length - 1);
    sent += block.length - 1;
  }
  const drained = new Promise((resolve) => client.once("drain", resolve));
  peer.resume();
  await drained;
  await new Promise<void>((resolve) => {
    const check = () => total(got) === sent ? resolve() : setTimeout(check, 5);
    check();
  });
  assert.ok(got.every((chunk) => !chunk.includes(0xee)), "bytes beyond length were sent");
  await settle(client, peer);
});

Deno.test("write() refuses a length beyond the array instead of sending stray memory", async () => {
  const { client, peer } = await pair();
  const got = collect(peer);
  assert.throws(() => client.write(new Uint8Array(4), 200), RangeError);
  assert.throws(() => client.write(new Uint8Array(4), -1), RangeError);
  assert.equal(client.write(new Uint8Array([1, 2, 3, 4]), 2), true);
  await new Promise<void>((resolve) => {
    const check = () => total(got) >= 2 ? resolve() : setTimeout(check, 5);
    check();
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(got.flatMap((chunk) => [...chunk]), [1, 2]);
  await settle(client, peer);
});

Deno.test("bytes written on one end arrive on the other, in order", async () => {
  const { client, peer } = await pair();
  const got = collect(peer);
  assert.equal(client.write(new TextEncoder().encode("hello ")), true);
  client.write(new TextEncoder().encode("world"));
  await new Promise<void>((resolve) => {
    const check = () => total(got) === 11 ? resolve() : setTimeout(check, 5);
    check();
  });
  assert.equal(
    new TextDecoder().decode(Uint8Array.from(got.flatMap((c) => [...c]))),
    "hello world",
  );
  await settle(client, peer);
});

Deno.test("many separate writes arrive complete and in order", async () => {
  const { client, peer } = await pair();
  const got = collect(peer);
  for (let i = 0; i < 200; i++) {
    client.write(new Uint8Array(1000).fill(i));
    await new Promise((r) => setTimeout(r, 0));
  }
  await new Promise<void>((resolve) => {
    const check = () => total(got) === 200_000 ? resolve() : setTimeout(check, 5);
    check();
  });
  const all = Uint8Array.from(got.flatMap((c) => [...c]));
  for (let i = 0; i < 200; i++) assert.equal(all[i * 1000 + 999], i & 0xff);
  await settle(client, peer);
});

Deno.test("write() returns false when the peer stops reading, then 'drain' after it resumes", async () => {
  const { client, peer } = await pair();
  peer.pause();
  const got = collect(peer);
  const block = new Uint8Array(1 << 20);
  let writes = 0;
  while (client.write(block)) writes++;
  assert.ok(writes < 64, "the kernel buffers should fill well before 64 MiB");
  const drained = new Promise((resolve) => client.once("drain", resolve));
  peer.resume();
  await drained;
  await new Promise<void>((resolve) => {
    const check = () =>
      total(got) === (writes + 1) * block.length ? resolve() : setTimeout(check, 5);
    check();
  });
  await settle(client, peer);
});

Deno.test("end() delivers queued bytes, then 'end' on the peer and 'close' on both", async () => {
  const { client, peer } = await pair();
  const got = collect(peer);
  const peerEnded = new Promise((resolve) => peer.once("end", resolve));
  let closes = 0;
  client.on("close", () => closes++);
  peer.on("close", () => closes++);
  client.end(new Uint8Array(300_000).fill(7));
  await peerEnded;
  assert.equal(total(got), 300_000);
  await Promise.all([closed(client), closed(peer)]);
  assert.equal(closes, 2);
  await settle(client, peer);
});

Deno.test("connecting to a closed port reports ECONNREFUSED and closes", async () => {
  const socket = connectFdSocket({ family: "inet", host: "127.0.0.1", port: freePort() });
  const error = await new Promise<Error>((resolve) => socket.once("error", resolve));
  assert.ok(error instanceof SystemError);
  assert.equal((error as SystemError).code, "ECONNREFUSED");
  assert.match(error.message, /connect ECONNREFUSED 127\.0\.0\.1:\d+: Connection refused/);
  await closed(socket);
  await thePoller().stopped();
});

Deno.test("a peer reset is an 'error' then 'close', never an exception", async () => {
  const { client, peer } = await pair();
  // SO_LINGER 0 makes close() send RST.
  const errors: Error[] = [];
  peer.on("error", (e) => errors.push(e));
  client.write(new Uint8Array(10));
  const linger = new Int32Array([1, 0]);
  const { libc } = await import("../../../src/os/libc.ts");
  libc().setsockopt(client.fd, 1, 13, new Uint8Array(linger.buffer), 8);
  client.destroy();
  await closed(peer);
  assert.ok(errors.length <= 1);
  if (errors.length) assert.equal((errors[0] as SystemError).code, "ECONNRESET");
  await settle(client, peer);
});

Deno.test("Deno timers still fire while traffic keeps the poller busy", async () => {
  const { client, peer } = await pair();
  // Ping-pong as fast as possible, like a benchmark's single connection.
  peer.on("data", (chunk) => peer.write(chunk));
  let running = true;
  let roundTrips = 0;
  client.on("data", (chunk) => {
    roundTrips++;
    if (running) client.write(chunk);
  });
  client.write(new Uint8Array([1]));
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const late = performance.now() - started - 20;
  running = false;
  assert.ok(roundTrips > 10, `only ${roundTrips} round trips`);
  assert.ok(late < 100, `a 20 ms timer fired ${late.toFixed(1)} ms late`);
  await settle(client, peer);
});

Deno.test("a listener that clears `quiet` gets its promise chain run before the poller blocks", async () => {
  const busy = await pair();
  const { client, peer } = await pair();
  // Keeps the poller in its synchronous loop, where it skips turns.
  busy.client.quiet = busy.peer.quiet = true;
  busy.peer.on("data", (chunk) => busy.peer.write(chunk));
  let running = true;
  let roundTrips = 0;
  busy.client.on("data", (chunk) => {
    roundTrips++;
    if (running) busy.client.write(chunk);
  });
  busy.client.write(new Uint8Array([1]));
  await new Promise((resolve) => setTimeout(resolve, 5));

  peer.quiet = true;
  const chainDone = new Promise<number>((resolve) => {
    peer.on("data", () => {
      peer.quiet = false;
      const before = roundTrips;
      let chain = Promise.resolve();
      for (let i = 0; i < 20; i++) chain = chain.then(() => {});
      chain.then(() => resolve(roundTrips - before));
    });
  });
  client.write(new Uint8Array([2]));
  const batchesInBetween = await chainDone;
  running = false;
  // Without the turn it would wait for the poller's periodic one (TURN_EVERY batches).
  assert.ok(batchesInBetween <= 2, `the chain waited for ${batchesInBetween} busy round trips`);
  await settle(client, peer, busy.client, busy.peer);
});

Deno.test("an 'end' listener that throws still lets the socket close (regression)", async () => {
  const { client, peer } = await pair();
  const errors: unknown[] = [];
  const poller = thePoller();
  const original = poller.onHandlerError;
  poller.onHandlerError = (error) => errors.push(error);
  try {
    client.on("end", () => {
      throw new Error("listener bug");
    });
    peer.end();
    const outcome = await Promise.race([
      closed(client).then(() => "closed"),
      new Promise((resolve) => setTimeout(() => resolve("still open"), 2000)),
    ]);
    assert.equal(outcome, "closed");
    assert.equal((errors[0] as Error).message, "listener bug");
  } finally {
    poller.onHandlerError = original;
  }
  await settle(client, peer);
});

Deno.test("isListeningFd tells a listening socket from a connected one", async () => {
  const { client, peer } = await pair();
  const fd = listenFd({ family: "inet", host: "127.0.0.1", port: freePort() });
  assert.equal(isListeningFd(fd), true);
  assert.equal(isListeningFd(client.fd), false);
  const { libc } = await import("../../../src/os/libc.ts");
  libc().close(fd);
  await settle(client, peer);
});

Deno.test("socketPair gives two connected, non-blocking ends", async () => {
  const [a, b] = socketPair().map((fd) => new FdSocket(fd));
  const got = collect(b);
  assert.equal(a.write(new TextEncoder().encode("pair")), true);
  await new Promise<void>((resolve) => {
    const check = () => total(got) === 4 ? resolve() : setTimeout(check, 5);
    check();
  });
  assert.equal(new TextDecoder().decode(got[0]), "pair");
  await settle(a, b);
});
