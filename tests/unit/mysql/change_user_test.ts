import assert from "node:assert/strict";
import { parseChangeUser } from "../../../src/mysql/change_user.ts";
import { MalformedPacketError } from "../../../src/mysql/errors.ts";
import { Capability } from "../../../src/mysql/constants.ts";

const te = new TextEncoder();
const SECURE = Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION;
// 0x11, "bob\0", auth length 3 + "abc", "shop\0", charset 0x21 0x00
const PACKET = new Uint8Array([
  0x11,
  ...te.encode("bob"),
  0,
  3,
  0x61,
  0x62,
  0x63,
  ...te.encode("shop"),
  0,
  0x21,
  0,
]);

Deno.test("COM_CHANGE_USER yields user and database", () => {
  const request = parseChangeUser(PACKET, SECURE);
  assert.deepEqual(request.user, te.encode("bob"));
  assert.deepEqual(request.database, te.encode("shop"));
});

Deno.test("COM_CHANGE_USER with an empty database has none", () => {
  const packet = new Uint8Array([0x11, ...te.encode("bob"), 0, 0, 0]);
  assert.equal(parseChangeUser(packet, SECURE).database, null);
});

Deno.test("COM_CHANGE_USER without SECURE_CONNECTION has NUL-terminated auth", () => {
  const packet = new Uint8Array([0x11, 0x61, 0, 0x78, 0x79, 0, ...te.encode("db"), 0]);
  const request = parseChangeUser(packet, Capability.PROTOCOL_41);
  assert.deepEqual(request.database, te.encode("db"));
});

Deno.test("truncated COM_CHANGE_USER packets are malformed", () => {
  // Every prefix that cuts the user, the auth data or the database name.
  for (let length = 0; length < 14; length++) {
    if (length === 9) continue; // ends right after the auth data: no database, valid
    assert.throws(
      () => parseChangeUser(PACKET.subarray(0, length), SECURE),
      MalformedPacketError,
      `prefix ${length}`,
    );
  }
});
