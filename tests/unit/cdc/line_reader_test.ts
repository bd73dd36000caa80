import assert from "node:assert/strict";
import { CdcConnectionError, CdcProtocolError } from "../../../src/cdc/errors.ts";
import { LineReader, type ReadInto } from "../../../src/cdc/line_reader.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A source serving `chunks` in order (splitting any that exceed the buffer). */
function source(chunks: (string | Uint8Array)[], log: boolean[] = []): ReadInto {
  const queue = chunks.map((chunk) => typeof chunk === "string" ? encoder.encode(chunk) : chunk);
  return (buffer, midLine) => {
    log.push(midLine);
    const chunk = queue.shift();
    if (chunk === undefined) return Promise.resolve(null);
    const count = Math.min(chunk.length, buffer.length);
    buffer.set(chunk.subarray(0, count));
    if (count < chunk.length) queue.unshift(chunk.subarray(count));
    return Promise.resolve(count);
  };
}

async function readAll(reader: LineReader): Promise<string[]> {
  const lines: string[] = [];
  for (let line = await reader.readLine(); line !== null; line = await reader.readLine()) {
    lines.push(decoder.decode(line));
  }
  return lines;
}

Deno.test("lines are split at every chunk boundary", async () => {
  const cases: [string[], string[]][] = [
    [["a\nb\n"], ["a", "b"]],
    [["a", "b\n", "c\n"], ["ab", "c"]],
    [["a\n", "\n", "b\n"], ["a", "", "b"]],
    [["OK\n\n"], ["OK", ""]],
    [["\n"], [""]],
    [[], []],
    [["", "x\n"], ["x"]],
    [["x\r\n"], ["x\r"]],
  ];
  for (const [chunks, expected] of cases) {
    assert.deepEqual(
      await readAll(new LineReader(source(chunks))),
      expected,
      JSON.stringify(chunks),
    );
  }
});

Deno.test("every byte position of a line can be a chunk boundary", async () => {
  const text = "first line\nsecond\n\nthird one\n";
  for (let cut = 0; cut <= text.length; cut++) {
    const chunks = [text.slice(0, cut), text.slice(cut)];
    assert.deepEqual(await readAll(new LineReader(source(chunks))), [
      "first line",
      "second",
      "",
      "third one",
    ]);
  }
});

Deno.test("buffered lines are returned without reading again", async () => {
  const log: boolean[] = [];
  const reader = new LineReader(source(["a\nb\nc\n", "d\n"], log));
  assert.equal(decoder.decode((await reader.readLine())!), "a");
  assert.equal(decoder.decode((await reader.readLine())!), "b");
  assert.equal(decoder.decode((await reader.readLine())!), "c");
  assert.equal(log.length, 1);
});

Deno.test("a truncated final line is a connection error, a clean end is null", async () => {
  const reader = new LineReader(source(["complete\n", "trunc"]));
  assert.equal(decoder.decode((await reader.readLine())!), "complete");
  await assert.rejects(reader.readLine(), (error: Error) => {
    assert.ok(error instanceof CdcConnectionError);
    assert.equal(
      error.message,
      "Connection closed by the server in the middle of a line (5 bytes received)",
    );
    return true;
  });
  const clean = new LineReader(source(["done\n"]));
  assert.equal(decoder.decode((await clean.readLine())!), "done");
  assert.equal(await clean.readLine(), null);
});

Deno.test("reads say whether a line has begun (to pick read or idle timeout)", async () => {
  const log: boolean[] = [];
  await readAll(new LineReader(source(["ab", "c\n", "d\n"], log)));
  assert.deepEqual(log, [false, true, false, false]);
});

Deno.test("a 32 MiB line is read in linear time", async () => {
  const size = 32 * 1024 * 1024;
  const big = new Uint8Array(size + 1).fill(0x61);
  big[size] = 0x0a;
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < big.length; at += 65536) chunks.push(big.subarray(at, at + 65536));
  chunks.push(encoder.encode("after\n"));
  const reader = new LineReader(source(chunks));
  const started = performance.now();
  const line = await reader.readLine();
  const elapsed = performance.now() - started;
  assert.equal(line!.length, size);
  assert.ok(line!.every((byte) => byte === 0x61));
  assert.equal(decoder.decode((await reader.readLine())!), "after");
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
});

Deno.test("a line over the limit is a protocol error, one at the limit is fine", async () => {
  const exact = new LineReader(source(["x".repeat(100) + "\n"]), 100);
  assert.equal((await exact.readLine())!.length, 100);
  const over = new LineReader(source(["x".repeat(101) + "\n"]), 100);
  await assert.rejects(over.readLine(), CdcProtocolError);
  const endless = new LineReader(source(Array(50).fill("y".repeat(1000))), 10_000);
  await assert.rejects(endless.readLine(), /Line longer than the limit of 10000 bytes/);
});

Deno.test("lines after a large one still split correctly (buffer shrinks and compacts)", async () => {
  const big = "z".repeat(300_000);
  const chunks = [`${big}\nsmall`, "\n", `${"q".repeat(70_000)}\n`, "end\n"];
  const lines = await readAll(new LineReader(source(chunks)));
  assert.deepEqual(lines.map((line) => line.length), [300_000, 5, 70_000, 3]);
});
