import assert from "node:assert/strict";
import {
  CommandSplitter,
  MAX_INTERCEPTED_PAYLOAD,
  type Segment,
} from "../../../src/proxy/command_splitter.ts";
import { framePackets } from "../../../src/mysql/writer.ts";
import { Command, MAX_PAYLOAD } from "../../../src/mysql/constants.ts";

const te = new TextEncoder();
const intercepts = (c: number) => c === Command.INIT_DB || c === Command.QUIT;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function payload(command: number, text: string): Uint8Array {
  return new Uint8Array([command, ...te.encode(text)]);
}

/** Feeds `chunks` and collects forwarded bytes and intercepted commands. */
function run(chunks: Uint8Array[]) {
  const splitter = new CommandSplitter(intercepts);
  const forwarded: Uint8Array[] = [];
  const commands: { sequenceId: number; payload: Uint8Array }[] = [];
  for (const chunk of chunks) {
    for (const segment of splitter.push(chunk) as Segment[]) {
      if (segment.kind === "forward") forwarded.push(segment.bytes.slice());
      else commands.push({ sequenceId: segment.sequenceId, payload: segment.payload.slice() });
    }
  }
  return { forwarded: concat(forwarded), commands, pending: splitter.pendingBytes };
}

const query1 = framePackets(0, payload(Command.QUERY, "SELECT 1"));
const initDb = framePackets(0, payload(Command.INIT_DB, "shop"));
const query2 = framePackets(0, payload(Command.QUERY, "SELECT 2"));
const stream = concat([query1, initDb, query2]);

Deno.test("commands that need no decision are forwarded verbatim in one piece", () => {
  const splitter = new CommandSplitter(intercepts);
  const segments = splitter.push(query1);
  assert.equal(segments.length, 1);
  assert.equal(segments[0].kind, "forward");
  assert.deepEqual((segments[0] as { bytes: Uint8Array }).bytes, query1);
});

Deno.test("COM_INIT_DB is taken out whole and the rest forwarded, at every split point", () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const result = run([stream.subarray(0, cut), stream.subarray(cut)]);
    assert.deepEqual(result.forwarded, concat([query1, query2]), `cut at ${cut}`);
    assert.equal(result.commands.length, 1, `cut at ${cut}`);
    assert.deepEqual(result.commands[0].payload, payload(Command.INIT_DB, "shop"));
    assert.equal(result.pending, 0);
  }
});

Deno.test("COM_INIT_DB arriving byte by byte is recognised", () => {
  const result = run([...stream].map((b) => new Uint8Array([b])));
  assert.deepEqual(result.forwarded, concat([query1, query2]));
  assert.equal(result.commands.length, 1);
});

Deno.test("regression: continuation of a 0xFFFFFF packet is not a new command", () => {
  // A COM_QUERY of exactly 0xFFFFFF bytes continues in a packet whose first
  // payload byte happens to be 0x02 (COM_INIT_DB): it must be forwarded.
  const big = new Uint8Array(MAX_PAYLOAD + 5);
  big[0] = Command.QUERY;
  big[MAX_PAYLOAD] = Command.INIT_DB;
  const framed = framePackets(0, big);
  const result = run([framed.subarray(0, 100_000), framed.subarray(100_000)]);
  assert.equal(result.commands.length, 0);
  assert.equal(result.forwarded.length, framed.length);
});

Deno.test("a large packet streams: its bytes are forwarded before it is complete", () => {
  const big = framePackets(0, new Uint8Array(1_000_000).fill(Command.QUERY));
  const splitter = new CommandSplitter(intercepts);
  const first = splitter.push(big.subarray(0, 1000));
  assert.equal(first.length, 1);
  assert.equal((first[0] as { bytes: Uint8Array }).bytes.length, 1000);
});

Deno.test("sequence ids of the last packet are reported", () => {
  const splitter = new CommandSplitter(intercepts);
  splitter.push(framePackets(7, payload(Command.QUERY, "x")));
  assert.equal(splitter.lastSequenceId, 7);
});

Deno.test("forwardsWhole: plain commands pass in one call and advance the state", () => {
  const splitter = new CommandSplitter(intercepts);
  const both = concat([query1, framePackets(3, payload(Command.QUERY, "SELECT 3"))]);
  const buffer = new Uint8Array(both.length + 10).fill(0xee);
  buffer.set(both);
  assert.equal(splitter.forwardsWhole(buffer, both.length), true);
  assert.equal(splitter.lastSequenceId, 3);
  assert.equal(splitter.pendingBytes, 0);
});

Deno.test("forwardsWhole: refuses without changing anything, so push() sees the same bytes", () => {
  const cases: [string, Uint8Array][] = [
    ["an intercepted command", concat([query1, initDb])],
    ["a header cut by the chunk end", concat([query1, initDb.subarray(0, 2)])],
    ["a command byte not yet arrived", concat([query1, initDb.subarray(0, 4)])],
  ];
  for (const [what, chunk] of cases) {
    const fast = new CommandSplitter(intercepts);
    assert.equal(fast.forwardsWhole(chunk, chunk.length), false, what);
    const slow = new CommandSplitter(intercepts);
    assert.deepEqual(fast.push(chunk), slow.push(chunk), what);
    assert.equal(fast.pendingBytes, slow.pendingBytes, what);
  }
});

Deno.test("forwardsWhole: refuses while bytes are carried over, then agrees again", () => {
  const splitter = new CommandSplitter(intercepts);
  splitter.push(query1.subarray(0, 2)); // carries a cut header
  assert.equal(splitter.forwardsWhole(query1.subarray(2), query1.length - 2), false);
  splitter.push(query1.subarray(2));
  assert.equal(splitter.pendingBytes, 0);
  assert.equal(splitter.forwardsWhole(query2, query2.length), true);
});

Deno.test("forwardsWhole: a packet body split across chunks, then an intercepted command", () => {
  const splitter = new CommandSplitter(intercepts);
  assert.equal(splitter.forwardsWhole(query1, 7), true);
  assert.equal(splitter.forwardsWhole(query1.subarray(7), query1.length - 7), true);
  const segments = splitter.push(initDb);
  assert.equal(segments.length, 1);
  assert.equal(segments[0].kind, "command");
});

Deno.test("forwardsWhole: a 16 MiB continuation is not judged as a new command", () => {
  const splitter = new CommandSplitter(intercepts);
  // A full-size packet announces a continuation; its successor starts with
  // what looks like COM_INIT_DB but is payload.
  const header = new Uint8Array([0xff, 0xff, 0xff, 0, Command.QUERY]);
  assert.equal(splitter.forwardsWhole(header, header.length), true);
  const body = new Uint8Array(MAX_PAYLOAD - 1);
  assert.equal(splitter.forwardsWhole(body, body.length), true);
  const continuation = framePackets(1, payload(Command.INIT_DB, "x"));
  assert.equal(splitter.forwardsWhole(continuation, continuation.length), true);
  assert.equal(splitter.lastSequenceId, 1);
});

/** Deterministic pseudo-random numbers (a linear congruential generator). */
function seededRandom(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return Math.floor(state / 2 ** 32 * below);
  };
}

/** A client stream mixing the packet shapes the splitter must tell apart. */
function randomStream(random: (below: number) => number, withLarge: boolean): Uint8Array {
  const commands = [Command.QUERY, Command.INIT_DB, Command.QUIT, Command.CHANGE_USER, 0x16, 0x17];
  const packets: Uint8Array[] = [];
  let sequenceId = 0;
  const add = (length: number) => {
    const body = new Uint8Array(length);
    if (length > 0) body[0] = commands[random(commands.length)];
    for (let i = 1; i < Math.min(length, 64); i++) body[i] = random(256);
    // A continuation that starts like COM_INIT_DB is still payload.
    if (length > MAX_PAYLOAD) body[MAX_PAYLOAD] = Command.INIT_DB;
    packets.push(framePackets(sequenceId++ & 0xff, body));
  };
  for (let count = 1 + random(8); count > 0; count--) {
    const kind = random(10);
    if (kind === 0) add(0);
    else if (kind === 1) add(MAX_INTERCEPTED_PAYLOAD - 1 + random(3));
    else if (kind === 2 && withLarge) add(MAX_PAYLOAD + random(20)); // framed as a continuation
    else add(1 + random(40));
  }
  return concat(packets);
}

function assertForwardsWholeAgreesWithPush(seed: number, streams: number, withLarge: boolean) {
  const random = seededRandom(seed);
  for (let n = 0; n < streams; n++) {
    const stream = randomStream(random, withLarge);
    const fast = new CommandSplitter(intercepts);
    const reference = new CommandSplitter(intercepts);
    for (let at = 0; at < stream.length;) {
      const size = [1 + random(6), 1 + random(200), 1 + random(70_000)][random(3)];
      const chunk = stream.subarray(at, Math.min(stream.length, at + size));
      at += chunk.length;
      // A receive buffer holds junk past `length` (here: COM_INIT_DB bytes).
      const buffer = new Uint8Array(chunk.length + 8).fill(Command.INIT_DB);
      buffer.set(chunk);
      const carried = reference.pendingBytes;
      const expected = reference.push(chunk.slice());
      // push() forwarded exactly this chunk, nothing joined, nothing held back.
      const wholeForward = carried === 0 && reference.pendingBytes === 0 &&
        expected.length === 1 && expected[0].kind === "forward" &&
        expected[0].bytes.length === chunk.length;
      const where = `seed ${seed}, stream ${n}, offset ${at}`;
      const sequenceIdBefore = fast.lastSequenceId;
      if (fast.forwardsWhole(buffer, chunk.length)) {
        assert.ok(wholeForward, `forwardsWhole accepted what push() splits (${where})`);
      } else {
        assert.ok(!wholeForward, `forwardsWhole refused a plain chunk (${where})`);
        assert.equal(fast.lastSequenceId, sequenceIdBefore, `a refusal changed state (${where})`);
        const got = fast.push(buffer.subarray(0, chunk.length));
        if (!withLarge) assert.deepEqual(got, expected, where);
      }
      assert.equal(fast.lastSequenceId, reference.lastSequenceId, where);
      assert.equal(fast.pendingBytes, reference.pendingBytes, where);
    }
  }
}

Deno.test("forwardsWhole agrees with push() on random streams cut at random points", () => {
  assertForwardsWholeAgreesWithPush(12345, 2000, false);
});

Deno.test("forwardsWhole agrees with push() around 16 MiB continuations", () => {
  assertForwardsWholeAgreesWithPush(777, 12, true);
});
