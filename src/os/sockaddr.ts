/**
 * `struct sockaddr_*` encodings for x86_64 Linux (ip(7), ipv6(7), unix(7)).
 * Pure: bytes in, bytes out.
 * @module
 */

import type { SocketAddress } from "../net/address.ts";

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** `sizeof(sun_path)`: the longest unix path, including its NUL. */
const UNIX_PATH_MAX = 108;

const encoder = new TextEncoder();

/** An address the kernel cannot take as given. */
export class SockaddrError extends Error {
  override name = "SockaddrError";
}

function ipv4Bytes(text: string): number[] {
  const parts = text.split(".").map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
    throw new SockaddrError(`Not an IPv4 address: "${text}"`);
  }
  return parts;
}

/** The 16 bytes of an IPv6 address in text form (with `::` and dotted tails). */
export function ipv6Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let head = text;
  let tailV4: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    tailV4 = ipv4Bytes(text.slice(lastColon + 1));
    head = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) throw new SockaddrError(`Not an IPv6 address: "${text}"`);
  const groups = (part: string) => part === "" ? [] : part.split(":");
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) {
    throw new SockaddrError(`Not an IPv6 address: "${text}"`);
  }
  const all = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  all.forEach((group, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) {
      throw new SockaddrError(`Not an IPv6 address: "${text}"`);
    }
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  if (tailV4.length) bytes.set(tailV4, 12);
  return bytes;
}

/** The `sockaddr` bytes for `address`; the array's length is the socklen. */
export function encodeSockaddr(address: SocketAddress): Uint8Array {
  switch (address.family) {
    case "inet": {
      const bytes = new Uint8Array(16);
      new DataView(bytes.buffer).setUint16(0, AF_INET, true);
      new DataView(bytes.buffer).setUint16(2, address.port, false);
      bytes.set(ipv4Bytes(address.host), 4);
      return bytes;
    }
    case "inet6": {
      const [host, scope] = address.host.split("%");
      if (scope !== undefined && !/^[0-9]+$/.test(scope)) {
        throw new SockaddrError(
          `Interface names in IPv6 scopes are not supported, use the index: "${address.host}"`,
        );
      }
      const bytes = new Uint8Array(28);
      const view = new DataView(bytes.buffer);
      view.setUint16(0, AF_INET6, true);
      view.setUint16(2, address.port, false);
      bytes.set(ipv6Bytes(host), 8);
      view.setUint32(24, scope === undefined ? 0 : Number(scope), true);
      return bytes;
    }
    case "unix":
    case "abstract": {
      const abstract = address.family === "abstract";
      const name = encoder.encode(abstract ? address.name : address.path);
      // A path needs its NUL; an abstract name has a leading NUL and none after.
      if (name.length + 1 > UNIX_PATH_MAX) {
        throw new SockaddrError(
          `Socket name too long (${name.length} bytes, at most ${UNIX_PATH_MAX - 1})`,
        );
      }
      const bytes = new Uint8Array(2 + 1 + name.length);
      new DataView(bytes.buffer).setUint16(0, AF_UNIX, true);
      bytes.set(name, abstract ? 3 : 2);
      return bytes;
    }
  }
}

/** The address family constant of `address`. */
export function familyOf(address: SocketAddress): number {
  switch (address.family) {
    case "inet":
      return AF_INET;
    case "inet6":
      return AF_INET6;
    default:
      return AF_UNIX;
  }
}
