import assert from "node:assert/strict";
import {
  backendClientFlags,
  buildHandshakeResponse,
  buildServerGreeting,
  parseHandshakeResponse,
  parseServerGreeting,
} from "../../../src/mysql/handshake.ts";
import { Capability, ProxyGreeting } from "../../../src/mysql/constants.ts";
import { ErrPacketError, MalformedPacketError } from "../../../src/mysql/errors.ts";
import { assertEveryPrefixThrows, bytes, hex, toHex } from "./_bytes.ts";

const NONCE = hex("0102030405060708 090a0b0c0d0e0f1011121314");

const MYSQL8_GREETING = bytes(
  hex("0a"),
  "8.0.33\0",
  hex("0d000000"), // connection id 13
  hex("0102030405060708 00"), // nonce part 1, filler
  hex("ffff ff 0200 ffdf 15"), // caps low, charset, status, caps high, auth data length 21
  hex("00000000000000000000"),
  hex("090a0b0c0d0e0f1011121314 00"), // nonce part 2 + NUL
  "caching_sha2_password\0",
);

const MARIADB_GREETING = bytes(
  hex("0a"),
  "5.5.5-10.11.6-MariaDB-0+deb12u1\0",
  hex("2a000000"),
  hex("0102030405060708 00"),
  hex("fef7 2d 0200 ff81 15"),
  hex("000000000000 1d000000"), // MariaDB puts extended capabilities in the reserved bytes
  hex("090a0b0c0d0e0f1011121314 00"),
  "mysql_native_password\0",
);

const greetingCases = [
  {
    name: "MySQL 8 with caching_sha2_password",
    payload: MYSQL8_GREETING,
    expected: {
      protocolVersion: 10,
      serverVersion: "8.0.33",
      connectionId: 13,
      authData: NONCE,
      capabilities: 0xdfffffff,
      charset: 0xff,
      status: 2,
      authPluginName: "caching_sha2_password",
    },
  },
  {
    name: "MariaDB 10.11",
    payload: MARIADB_GREETING,
    expected: {
      protocolVersion: 10,
      serverVersion: "5.5.5-10.11.6-MariaDB-0+deb12u1",
      connectionId: 42,
      authData: NONCE,
      capabilities: 0x81fff7fe,
      charset: 0x2d,
      status: 2,
      authPluginName: "mysql_native_password",
    },
  },
];

for (const c of greetingCases) {
  Deno.test(`greeting: parses ${c.name}`, () => {
    assert.deepEqual(parseServerGreeting(c.payload), c.expected);
  });
  Deno.test(`greeting: every truncation of ${c.name} throws MalformedPacketError`, () => {
    assertEveryPrefixThrows(parseServerGreeting, c.payload);
  });
}

Deno.test("greeting: the proxy's own greeting has the exact bytes of behaviour.md §1", () => {
  const payload = buildServerGreeting({
    serverVersion: ProxyGreeting.SERVER_VERSION,
    connectionId: 7,
    authData: NONCE,
    capabilities: ProxyGreeting.CAPABILITIES,
    charset: ProxyGreeting.CHARSET,
    status: ProxyGreeting.STATUS,
    authPluginName: ProxyGreeting.AUTH_PLUGIN,
  });
  const expected = bytes(
    hex("0a"),
    "5.7.30\0",
    hex("07000000 0102030405060708 00 0ff2 21 0200 8f81 15 00000000000000000000"),
    hex("090a0b0c0d0e0f1011121314 00"),
    "mysql_clear_password\0",
  );
  assert.equal(toHex(payload), toHex(expected));
  const parsed = parseServerGreeting(payload);
  assert.equal(parsed.capabilities, 0x818ff20f);
  assert.deepEqual(parsed.authData, NONCE);
});

Deno.test("greeting: build and parse round-trip the MySQL 8 literal", () => {
  const g = parseServerGreeting(MYSQL8_GREETING);
  assert.equal(
    toHex(buildServerGreeting({ ...g, authPluginName: g.authPluginName! })),
    toHex(MYSQL8_GREETING),
  );
});

function greetingError(payload: Uint8Array): ErrPacketError {
  try {
    parseServerGreeting(payload);
  } catch (e) {
    if (e instanceof ErrPacketError) return e;
    throw e;
  }
  assert.fail("no ErrPacketError");
}

Deno.test("greeting: an ERR packet instead of a greeting throws ErrPacketError", () => {
  const withState = bytes(hex("ff 1004 23"), "08004", "Too many connections");
  assert.deepEqual(greetingError(withState).error, {
    code: 1040,
    sqlState: "08004",
    message: "Too many connections",
  });
  const withoutState = bytes(hex("ff 6a04"), "Host '10.0.0.1' is not allowed to connect");
  assert.deepEqual(greetingError(withoutState).error, {
    code: 1130,
    sqlState: "HY000",
    message: "Host '10.0.0.1' is not allowed to connect",
  });
});

Deno.test("greeting: other protocol versions are malformed", () => {
  assert.throws(() => parseServerGreeting(hex("09 352e3000")), MalformedPacketError);
});

const FULL_CAPS = 0x3aa20d; // LONG_PASSWORD LONG_FLAG CONNECT_WITH_DB PROTOCOL_41 TRANSACTIONS
// SECURE_CONNECTION MULTI_RESULTS PLUGIN_AUTH CONNECT_ATTRS PLUGIN_AUTH_LENENC_CLIENT_DATA
const SCRAMBLE = hex("aabbccddeeff00112233445566778899aabbccdd");
const FULL_RESPONSE = bytes(
  hex("0da23a00 00000001 21"),
  new Uint8Array(23),
  "root\0",
  hex("14"),
  SCRAMBLE,
  "test\0",
  "mysql_native_password\0",
  hex("0a 03"),
  "_os",
  hex("05"),
  "Linux",
);

const responseCases = [
  {
    name: "lenenc auth data, database, plugin and attributes",
    payload: FULL_RESPONSE,
    expected: {
      capabilities: FULL_CAPS,
      maxPacketSize: 0x01000000,
      charset: 0x21,
      user: bytes("root"),
      authResponse: SCRAMBLE,
      database: bytes("test"),
      authPluginName: "mysql_native_password",
    },
    roundTrips: false, // attributes are skipped, not rebuilt
  },
  {
    name: "SECURE_CONNECTION one-byte auth length, no database, no plugin",
    payload: bytes(hex("01820000 ffffff00 08"), new Uint8Array(23), "bob\0", hex("03 010203")),
    expected: {
      capabilities: 0x8201,
      maxPacketSize: 0xffffff,
      charset: 8,
      user: bytes("bob"),
      authResponse: hex("010203"),
      database: null,
      authPluginName: null,
    },
    roundTrips: true,
  },
  {
    name: "NUL-terminated auth data without SECURE_CONNECTION",
    payload: bytes(hex("01020000 00000001 21"), new Uint8Array(23), "bob\0", "pw\0"),
    expected: {
      capabilities: 0x201,
      maxPacketSize: 0x01000000,
      charset: 0x21,
      user: bytes("bob"),
      authResponse: bytes("pw"),
      database: null,
      authPluginName: null,
    },
    roundTrips: true,
  },
  {
    name: "cleartext plugin reply with empty password and empty database",
    payload: bytes(
      hex("09822800 00000001 21"),
      new Uint8Array(23),
      "u\0",
      hex("00"),
      "\0",
      "mysql_clear_password\0",
    ),
    expected: {
      capabilities: 0x288209,
      maxPacketSize: 0x01000000,
      charset: 0x21,
      user: bytes("u"),
      authResponse: new Uint8Array(0),
      database: new Uint8Array(0),
      authPluginName: "mysql_clear_password",
    },
    roundTrips: true,
  },
];

for (const c of responseCases) {
  Deno.test(`handshake response: parses ${c.name}`, () => {
    assert.deepEqual(parseHandshakeResponse(c.payload), c.expected);
  });
  Deno.test(`handshake response: every truncation of ${c.name} throws MalformedPacketError`, () => {
    assertEveryPrefixThrows(parseHandshakeResponse, c.payload);
  });
  if (c.roundTrips) {
    Deno.test(`handshake response: build reproduces ${c.name}`, () => {
      assert.equal(
        toHex(buildHandshakeResponse(parseHandshakeResponse(c.payload))),
        toHex(c.payload),
      );
    });
  }
}

Deno.test("handshake response: built with CONNECT_ATTRS it carries an empty attribute block", () => {
  const built = buildHandshakeResponse({ ...parseHandshakeResponse(FULL_RESPONSE) });
  assert.equal(toHex(built.subarray(built.length - 1)), "00");
  assert.deepEqual(parseHandshakeResponse(built), responseCases[0].expected);
});

Deno.test("handshake response: the 3.20 format (no PROTOCOL_41) is rejected", () => {
  const old = bytes(hex("85a2 000000"), "root\0", "12345678");
  assert.throws(() => parseHandshakeResponse(old), MalformedPacketError);
});

Deno.test("handshake response: an SSLRequest is not a complete response", () => {
  const sslRequest = bytes(hex("0daa3a00 00000001 21"), new Uint8Array(23));
  assert.throws(() => parseHandshakeResponse(sslRequest), MalformedPacketError);
});

Deno.test("handshake response: parsed byte fields are copies", () => {
  const payload = FULL_RESPONSE.slice();
  const parsed = parseHandshakeResponse(payload);
  payload.fill(0);
  assert.equal(new TextDecoder().decode(parsed.user), "root");
});

const flagCases: [string, number, boolean, number][] = [
  ["proxy greeting flags without database", 0x818ff20f, false, 0x81aff207],
  ["proxy greeting flags with database", 0x818ff20f, true, 0x81aff20f],
  ["nothing from the client", 0, false, 0x00288200],
  ["nothing from the client, with database", 0, true, 0x00288208],
  ["SSL, COMPRESS, CONNECT_ATTRS and CONNECT_WITH_DB are removed", 0x00100828, false, 0x00288200],
  ["bit 31 stays unsigned", 0x80000000, false, 0x80288200],
];

for (const [name, client, hasDb, expected] of flagCases) {
  Deno.test(`backendClientFlags: ${name}`, () => {
    const flags = backendClientFlags(client, hasDb);
    assert.equal(flags, expected, `0x${flags.toString(16)}`);
    assert.ok(flags >= 0);
    assert.equal((flags & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) !== 0, true);
  });
}

Deno.test("handshake response: the layout follows the flags both sides share", () => {
  // MariaDB Connector/C keeps CONNECT_ATTRS set but sends no attributes to a
  // server that did not offer it (the proxy's greeting does not).
  const payload = bytes(
    hex("0d a2 12 00 00000001 21"),
    new Uint8Array(23),
    "root\0",
    hex("00"),
    "db\0",
  );
  assert.throws(() => parseHandshakeResponse(payload), MalformedPacketError);
  const parsed = parseHandshakeResponse(payload, ProxyGreeting.CAPABILITIES);
  assert.equal(parsed.capabilities, 0x0002a20d);
  assert.deepEqual([parsed.database, parsed.authPluginName], [bytes("db"), null]);
});
