import assert from "node:assert/strict";
import { parseCliArgs, UsageError } from "../../../src/cdc/cli/args.ts";
import { exitStatus } from "../../../src/cdc/cli/run.ts";
import {
  CdcArgumentError,
  CdcAuthenticationError,
  CdcConnectionError,
  CdcNoFileError,
  CdcProtocolError,
  CdcRegistrationError,
  CdcStreamError,
  CdcTimeoutError,
} from "../../../src/cdc/mod.ts";

const MINIMAL = ["--address", "mx:4001", "--user", "cdc", "shop.orders"];

Deno.test("a minimal command line gets the defaults", () => {
  assert.deepEqual(parseCliArgs(MINIMAL), {
    help: false,
    address: "mx:4001",
    user: "cdc",
    passwordFile: null,
    database: "shop",
    table: "orders",
    gtid: null,
    version: null,
    uuid: null,
    wait: false,
    reconnect: false,
    dialTimeout: undefined,
    readTimeout: undefined,
    idleTimeout: undefined,
    logLevel: "info",
  });
});

Deno.test("the '--' that deno task passes through is skipped", () => {
  assert.equal(parseCliArgs(["--", ...MINIMAL]).table, "orders");
});

Deno.test("every option is read, timeouts in seconds", () => {
  const options = parseCliArgs([
    ...MINIMAL,
    "--password-file",
    "/run/secret",
    "--gtid",
    "0-3000-8",
    "--version",
    "3",
    "--uuid",
    "me",
    "--wait",
    "--reconnect",
    "--dial-timeout",
    "1.5",
    "--read-timeout",
    "2",
    "--idle-timeout",
    "600",
    "--verbose",
  ]);
  assert.equal(options.passwordFile, "/run/secret");
  assert.equal(options.gtid, "0-3000-8");
  assert.equal(options.version, "3");
  assert.equal(options.uuid, "me");
  assert.ok(options.wait && options.reconnect);
  assert.deepEqual([options.dialTimeout, options.readTimeout, options.idleTimeout], [
    1500,
    2000,
    600_000,
  ]);
  assert.equal(options.logLevel, "debug");
  assert.equal(parseCliArgs([...MINIMAL, "--quiet"]).logLevel, "error");
});

Deno.test("--help needs nothing else", () => {
  assert.equal(parseCliArgs(["--help"]).help, true);
  assert.equal(parseCliArgs(["-h"]).help, true);
});

Deno.test("bad command lines are usage errors naming the problem", () => {
  const cases: [string[], RegExp][] = [
    [["--user", "u", "db.t"], /"--address" is required/],
    [["--address", "h", "db.t"], /"--user" is required/],
    [["--address", "h", "--user", "u"], /Expected one DATABASE\.TABLE argument, got 0/],
    [["--address", "h", "--user", "u", "a.b", "c.d"], /got 2/],
    [["--address", "h", "--user", "u", "table"], /Expected DATABASE\.TABLE, got "table"/],
    [["--address", "h", "--user", "u", "a.b.c"], /Expected DATABASE\.TABLE/],
    [["--address", "h", "--user", "u", ".t"], /Expected DATABASE\.TABLE/],
    [[...MINIMAL, "--password", "x"], /"--password" is not accepted/],
    [
      [...MINIMAL, "--idle-timeout", "0"],
      /"--idle-timeout" needs a positive number of seconds, got "0"/,
    ],
    [[...MINIMAL, "--read-timeout", "soon"], /"--read-timeout" needs a positive number/],
    [[...MINIMAL, "--verbose", "--quiet"], /exclude each other/],
    [[...MINIMAL, "--password-file", ""], /"--password-file" needs a path/],
    [[...MINIMAL, "--bogus"], /bogus/],
  ];
  for (const [argv, pattern] of cases) {
    assert.throws(() => parseCliArgs(argv), (error: Error) => {
      assert.ok(error instanceof UsageError, `${argv.join(" ")}: ${error}`);
      assert.match(error.message, pattern);
      return true;
    });
  }
});

Deno.test("each failure kind has its documented exit status", () => {
  const cases: [Error, number][] = [
    [new UsageError("x"), 64],
    [new CdcArgumentError("x"), 64],
    [new CdcNoFileError("x", "ERR NO-FILE"), 66],
    [new CdcConnectionError("x"), 69],
    [new CdcTimeoutError("idle", 1, "x"), 69],
    [new CdcStreamError("x", "ERR fatal error: MAXAVRO_ERR_IO"), 69],
    [new CdcProtocolError("x"), 76],
    [new CdcAuthenticationError("x", "ERROR: Authentication failed"), 77],
    [new CdcRegistrationError("x", "ERR, code 12"), 77],
    [new TypeError("bug"), 70],
  ];
  for (const [error, status] of cases) assert.equal(exitStatus(error), status, error.name);
});
