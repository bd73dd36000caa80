import assert from "node:assert/strict";
import {
  checkUuid,
  padVersion,
  randomUuid,
  registerCommand,
  requestDataCommand,
} from "../../../src/cdc/command.ts";
import { CdcArgumentError } from "../../../src/cdc/errors.ts";
import { formatGtid, parseGtid, toGtid } from "../../../src/cdc/gtid.ts";

Deno.test("versions are zero-padded to six digits", () => {
  const cases: [number | string, string][] = [
    [1, "000001"],
    [3, "000003"],
    ["3", "000003"],
    ["000003", "000003"],
    [123456, "123456"],
    [999999, "999999"],
  ];
  for (const [input, expected] of cases) assert.equal(padVersion(input), expected);
});

Deno.test("invalid versions are refused with the value quoted", () => {
  for (const input of [0, -1, 1.5, 1_000_000, "", "abc", "1e3", "0000001", " 3", NaN]) {
    assert.throws(() => padVersion(input), (error: Error) => {
      assert.ok(error instanceof CdcArgumentError);
      assert.match(error.message, /^Invalid table version ".*": expected an integer/);
      return true;
    });
  }
});

Deno.test("REQUEST-DATA carries the padded version and the GTID", () => {
  const gtid = parseGtid("0-3000-8");
  assert.equal(requestDataCommand({ database: "db", table: "t" }), "REQUEST-DATA db.t");
  assert.equal(
    requestDataCommand({ database: "db", table: "t", version: 3 }),
    "REQUEST-DATA db.t.000003",
  );
  assert.equal(
    requestDataCommand({ database: "db", table: "t", version: "12", gtid }),
    "REQUEST-DATA db.t.000012 0-3000-8",
  );
  assert.equal(
    requestDataCommand({ database: "db", table: "t", gtid }),
    "REQUEST-DATA db.t 0-3000-8",
  );
});

Deno.test("database and table names that would change the command are refused", () => {
  for (
    const [database, table] of [["", "t"], ["db", ""], ["d.b", "t"], ["db", "t 1"], ["db", "t\n"], [
      "a/b",
      "t",
    ]]
  ) {
    assert.throws(() => requestDataCommand({ database, table }), CdcArgumentError);
  }
});

Deno.test("GTIDs are validated and kept exact", () => {
  assert.deepEqual(parseGtid("0-3000-8"), { domain: 0, serverId: 3000, sequence: 8n });
  const max = parseGtid("4294967295-4294967295-18446744073709551615");
  assert.equal(max.sequence, 18446744073709551615n);
  assert.equal(formatGtid(max), "4294967295-4294967295-18446744073709551615");
  assert.deepEqual(toGtid({ domain: 1, serverId: 2, sequence: 3n }), {
    domain: 1,
    serverId: 2,
    sequence: 3n,
  });
});

Deno.test("malformed or out-of-range GTIDs are refused", () => {
  const bad = [
    "",
    "0-3000",
    "0-3000-8-1",
    "a-b-c",
    "0-3000-",
    "-0-3000-8",
    " 0-3000-8",
    "0-3000-8 ",
    "4294967296-1-1",
    "1-4294967296-1",
    "1-1-18446744073709551616",
    "0_3000_8",
  ];
  for (const text of bad) {
    assert.throws(() => parseGtid(text), CdcArgumentError, JSON.stringify(text));
  }
  assert.throws(() => toGtid({ domain: -1, serverId: 1, sequence: 1n }), CdcArgumentError);
  assert.throws(() => toGtid({ domain: 1.5, serverId: 1, sequence: 1n }), CdcArgumentError);
});

Deno.test("REGISTER names the UUID and TYPE=JSON", () => {
  assert.equal(registerCommand("abc"), "REGISTER UUID=abc, TYPE=JSON");
});

Deno.test("random UUIDs survive MaxScale's 32-character cut", () => {
  const uuid = randomUuid();
  assert.match(uuid, /^[0-9a-f]{32}$/);
  assert.notEqual(uuid, randomUuid());
  assert.equal(checkUuid(uuid), uuid);
});

Deno.test("UUIDs the server would alter are refused", () => {
  for (const uuid of ["", "x".repeat(33), "a b", "a,b", "a\tb", "é"]) {
    assert.throws(() => checkUuid(uuid), CdcArgumentError, JSON.stringify(uuid));
  }
});
