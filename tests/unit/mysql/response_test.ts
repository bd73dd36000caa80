import assert from "node:assert/strict";
import {
  buildEof,
  buildErr,
  buildOk,
  isEof,
  isErr,
  isOk,
  isResultSetEnd,
  parseEof,
  parseErr,
  parseOk,
} from "../../../src/mysql/response.ts";
import { Capability, MAX_PAYLOAD } from "../../../src/mysql/constants.ts";
import { MalformedPacketError } from "../../../src/mysql/errors.ts";
import { assertEveryPrefixThrows, bytes, hex, toHex } from "./_bytes.ts";

const P41 = Capability.PROTOCOL_41;
const TRACK = (Capability.PROTOCOL_41 | Capability.SESSION_TRACK) >>> 0;
const EMPTY = new Uint8Array(0);

const okCases = [
  {
    name: "plain 4.1 OK",
    payload: hex("00 00 00 0200 0000"),
    caps: P41,
    expected: {
      affectedRows: 0n,
      lastInsertId: 0n,
      status: 2,
      warnings: 0,
      info: EMPTY,
      sessionState: null,
    },
    fixed: 7,
  },
  {
    name: "rows, insert id, warnings and info",
    payload: bytes(hex("00 01 fce803 0300 0100"), "abc"),
    caps: P41,
    expected: {
      affectedRows: 1n,
      lastInsertId: 1000n,
      status: 3,
      warnings: 1,
      info: bytes("abc"),
      sessionState: null,
    },
    fixed: 9,
  },
  {
    name: "last insert id 2^64-1 stays exact",
    payload: hex("00 00 feffffffffffffffff 0200 0000"),
    caps: P41,
    expected: {
      affectedRows: 0n,
      lastInsertId: 2n ** 64n - 1n,
      status: 2,
      warnings: 0,
      info: EMPTY,
      sessionState: null,
    },
    fixed: 15,
  },
  {
    name: "SESSION_TRACK with session state",
    payload: hex("00 00 00 0240 0000 00 05 0103026464"),
    caps: TRACK,
    expected: {
      affectedRows: 0n,
      lastInsertId: 0n,
      status: 0x4002,
      warnings: 0,
      info: EMPTY,
      sessionState: hex("0103026464"),
    },
    fixed: 7,
  },
  {
    name: "DEPRECATE_EOF end of result set (0xFE header)",
    payload: hex("fe 00 00 2200 0000"),
    caps: (P41 | Capability.DEPRECATE_EOF) >>> 0,
    expected: {
      affectedRows: 0n,
      lastInsertId: 0n,
      status: 0x22,
      warnings: 0,
      info: EMPTY,
      sessionState: null,
    },
    fixed: 7,
  },
  {
    name: "pre-4.1 with TRANSACTIONS",
    payload: hex("00 01 00 0200"),
    caps: Capability.TRANSACTIONS,
    expected: {
      affectedRows: 1n,
      lastInsertId: 0n,
      status: 2,
      warnings: 0,
      info: EMPTY,
      sessionState: null,
    },
    fixed: 5,
  },
];

for (const c of okCases) {
  Deno.test(`OK: parses ${c.name}`, () => {
    assert.deepEqual(parseOk(c.payload, c.caps), c.expected);
  });
  // The info string runs to the end of the packet (or is optional), so only
  // truncations inside the fixed part are detectable.
  Deno.test(`OK: truncations of ${c.name} inside the fixed part throw`, () => {
    assertEveryPrefixThrows((p) => parseOk(p, c.caps), c.payload, c.fixed);
  });
  Deno.test(`OK: build reproduces ${c.name}`, () => {
    const built = buildOk(c.expected, c.caps, c.payload[0]);
    assert.equal(toHex(built), toHex(c.payload));
  });
}

Deno.test("OK: a truncated SESSION_TRACK info string throws", () => {
  assert.throws(() => parseOk(hex("00 00 00 0200 0000 05 6162"), TRACK), MalformedPacketError);
});

Deno.test("OK: an ERR payload is not an OK", () => {
  assert.throws(() => parseOk(hex("ff 1504"), P41), MalformedPacketError);
});

Deno.test("OK: SESSION_STATE_CHANGED is dropped when no state is built", () => {
  assert.equal(toHex(buildOk({ status: 0x4002 }, TRACK)), "00000002000000");
});

const errCases = [
  {
    name: "4.1 ERR with SQLSTATE",
    payload: bytes(hex("ff 1504 23"), "28000", "Access denied"),
    caps: P41,
    expected: { code: 1045, sqlState: "28000", message: "Access denied" },
  },
  {
    name: "pre-4.1 ERR",
    payload: bytes(hex("ff 1504"), "Access denied"),
    caps: 0,
    expected: { code: 1045, sqlState: "HY000", message: "Access denied" },
  },
];

for (const c of errCases) {
  Deno.test(`ERR: parses ${c.name}`, () => {
    assert.deepEqual(parseErr(c.payload, c.caps), c.expected);
  });
  Deno.test(`ERR: build reproduces ${c.name}`, () => {
    assert.equal(toHex(buildErr(c.expected, c.caps)), toHex(c.payload));
  });
}

Deno.test("ERR: truncations before the message throw", () => {
  const payload = errCases[0].payload;
  for (const n of [0, 1, 2, 4, 5, 6, 7, 8]) {
    assert.throws(() => parseErr(payload.slice(0, n), P41), MalformedPacketError, `prefix ${n}`);
  }
  // Three bytes are a complete ERR without SQLSTATE, as servers send before
  // the capabilities are known.
  assert.deepEqual(parseErr(payload.slice(0, 3), P41), {
    code: 1045,
    sqlState: "HY000",
    message: "",
  });
});

Deno.test("ERR: message bytes from Lua are written as they are", () => {
  const payload = buildErr({ code: 1043, sqlState: "08S01", message: hex("ff00fe") }, P41);
  assert.equal(toHex(payload), "ff1304" + "23" + toHex(bytes("08S01")) + "ff00fe");
});

Deno.test("ERR: an invalid SQLSTATE is a programming error", () => {
  assert.throws(() => buildErr({ code: 1, sqlState: "123", message: "" }, P41), RangeError);
});

Deno.test("EOF: parses, builds, and rejects truncation", () => {
  const payload = hex("fe 0100 0200");
  assert.deepEqual(parseEof(payload), { warnings: 1, status: 2 });
  assert.equal(toHex(buildEof({ warnings: 1, status: 2 }, P41)), "fe01000200");
  assert.equal(toHex(buildEof({}, 0)), "fe");
  assertEveryPrefixThrows(parseEof, payload);
});

const DEPRECATE = (P41 | Capability.DEPRECATE_EOF) >>> 0;
const classifyCases: [string, Uint8Array, boolean, boolean, boolean, boolean][] = [
  // name, payload, isOk, isErr, isEof, isResultSetEnd(DEPRECATE_EOF)
  ["OK", hex("00000002000000"), true, false, false, false],
  ["ERR", hex("ff1504"), false, true, false, false],
  ["EOF", hex("fe00000200"), false, false, true, true],
  ["DEPRECATE_EOF OK", hex("fe000002000000"), false, false, true, true],
  ["DEPRECATE_EOF OK with info", hex("fe0000020000000361626364"), false, false, false, true],
  [
    "row starting with 0xFE (9+ bytes)",
    new Uint8Array(MAX_PAYLOAD).fill(0xfe),
    false,
    false,
    false,
    false,
  ],
  ["row starting with 0x00", hex("00"), true, false, false, false],
  ["empty", EMPTY, false, false, false, false],
];

for (const [name, payload, ok, err, eof, end] of classifyCases) {
  Deno.test(`classify: ${name}`, () => {
    assert.deepEqual([isOk(payload), isErr(payload), isEof(payload)], [ok, err, eof]);
    assert.equal(isResultSetEnd(payload, DEPRECATE), end);
    assert.equal(isResultSetEnd(payload, P41), eof);
  });
}
