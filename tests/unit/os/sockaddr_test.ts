import assert from "node:assert/strict";
import { encodeSockaddr, ipv6Bytes, SockaddrError } from "../../../src/os/sockaddr.ts";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("sockaddr_in: family little-endian, port big-endian, address bytes", () => {
  assert.equal(
    hex(encodeSockaddr({ family: "inet", host: "127.0.0.1", port: 3306 })),
    "02000cea7f0000010000000000000000",
  );
});

Deno.test("sockaddr_in6 with a numeric scope", () => {
  const bytes = encodeSockaddr({ family: "inet6", host: "fe80::1%3", port: 80 });
  assert.equal(bytes.length, 28);
  assert.equal(hex(bytes.subarray(0, 4)), "0a000050");
  assert.equal(hex(bytes.subarray(8, 24)), "fe800000000000000000000000000001");
  assert.equal(bytes[24], 3);
  assert.throws(
    () => encodeSockaddr({ family: "inet6", host: "fe80::1%eth0", port: 80 }),
    SockaddrError,
  );
});

const IPV6_CASES: [string, string][] = [
  ["::", "00000000000000000000000000000000"],
  ["::1", "00000000000000000000000000000001"],
  ["1::", "00010000000000000000000000000000"],
  ["2001:db8::8:800:200c:417a", "20010db80000000000080800200c417a"],
  ["::ffff:192.0.2.1", "00000000000000000000ffffc0000201"],
  ["1:2:3:4:5:6:7:8", "00010002000300040005000600070008"],
];

for (const [text, expected] of IPV6_CASES) {
  Deno.test(`ipv6Bytes(${text})`, () => assert.equal(hex(ipv6Bytes(text)), expected));
}

for (const bad of ["1:2:3", "1::2::3", "12345::", "::g", "1:2:3:4:5:6:7:8:9", "::1.2.3"]) {
  Deno.test(`ipv6Bytes rejects "${bad}"`, () => assert.throws(() => ipv6Bytes(bad), SockaddrError));
}

Deno.test("sockaddr_un: a path ends with NUL, an abstract name starts with one", () => {
  assert.equal(hex(encodeSockaddr({ family: "unix", path: "/a" })), "01002f6100");
  assert.equal(hex(encodeSockaddr({ family: "abstract", name: "a" })), "01000061");
});

Deno.test("sockaddr_un refuses names longer than sun_path", () => {
  assert.doesNotThrow(() => encodeSockaddr({ family: "unix", path: "/" + "x".repeat(106) }));
  assert.throws(
    () => encodeSockaddr({ family: "unix", path: "/" + "x".repeat(107) }),
    /too long \(108 bytes, at most 107\)/,
  );
});
