/**
 * Socket addresses as the configuration writes them: `a.b.c.d[:port]`,
 * `[v6][:port]`, bare IPv6, `host:port` (resolved), `/path` and `@abstract`.
 *
 * See myproxy-behaviour.md §5 (default port 3306, `@` means a leading NUL).
 * @module
 */

import { isIP } from "node:net";
import { lookup } from "node:dns/promises";

/** A parsed, numeric socket address. */
export type SocketAddress =
  | { readonly family: "inet"; readonly host: string; readonly port: number }
  | { readonly family: "inet6"; readonly host: string; readonly port: number }
  | { readonly family: "unix"; readonly path: string }
  | { readonly family: "abstract"; readonly name: string };

/** The port MySQL listens on unless told otherwise. */
export const MYSQL_DEFAULT_PORT = 3306;

/** An address string that cannot be parsed or resolved. */
export class AddressError extends Error {
  override name = "AddressError";
}

interface HostPort {
  host: string;
  port: number;
}

function parsePort(text: string, whole: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) {
    throw new AddressError(`Invalid port in address "${whole}"`);
  }
  return Number(text);
}

/** Splits `host[:port]`, `[v6][:port]` and bare IPv6 text. Pure. */
export function splitHostPort(text: string, defaultPort: number): HostPort {
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw new AddressError(`Missing "]" in address "${text}"`);
    const host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest === "") return { host, port: defaultPort };
    if (!rest.startsWith(":")) throw new AddressError(`Unexpected text after "]" in "${text}"`);
    return { host, port: parsePort(rest.slice(1), text) };
  }
  const first = text.indexOf(":");
  if (first >= 0 && first !== text.lastIndexOf(":")) {
    // Two or more colons and no brackets: a bare IPv6 address.
    return { host: text, port: defaultPort };
  }
  if (first < 0) return { host: text, port: defaultPort };
  return { host: text.slice(0, first), port: parsePort(text.slice(first + 1), text) };
}

function fromHostPort(host: string, port: number, whole: string): SocketAddress | null {
  if (host === "*") return { family: "inet6", host: "::", port };
  const scopeFree = host.split("%")[0];
  switch (isIP(scopeFree)) {
    case 4:
      return { family: "inet", host, port };
    case 6:
      return { family: "inet6", host, port };
  }
  if (host === "") throw new AddressError(`Missing host in address "${whole}"`);
  return null;
}

/**
 * Parses a numeric address without touching the network. Returns `null` for
 * a host name that needs resolving; throws {@link AddressError} on bad syntax.
 */
export function parseNumericAddress(
  text: string,
  defaultPort = MYSQL_DEFAULT_PORT,
): SocketAddress | null {
  if (text === "") throw new AddressError("Empty address");
  if (text.includes("\0")) throw new AddressError("Address contains a NUL byte");
  if (text.startsWith("/")) return { family: "unix", path: text };
  if (text.startsWith("@")) {
    if (text.length === 1) throw new AddressError(`Empty abstract socket name in "${text}"`);
    return { family: "abstract", name: text.slice(1) };
  }
  const { host, port } = splitHostPort(text, defaultPort);
  return fromHostPort(host, port, text);
}

/**
 * Parses an address and, when it names a host, asks the system resolver
 * (getaddrinfo, so `/etc/hosts` counts). The first result wins.
 */
export async function resolveAddress(
  text: string,
  defaultPort = MYSQL_DEFAULT_PORT,
): Promise<SocketAddress> {
  const numeric = parseNumericAddress(text, defaultPort);
  if (numeric) return numeric;
  const { host, port } = splitHostPort(text, defaultPort);
  let found;
  try {
    found = await lookup(host);
  } catch (cause) {
    throw new AddressError(`Cannot resolve "${host}": ${(cause as Error).message}`, { cause });
  }
  return found.family === 6
    ? { family: "inet6", host: found.address, port }
    : { family: "inet", host: found.address, port };
}

/** The canonical text of an address, as used in logs and metric labels. */
export function formatAddress(address: SocketAddress): string {
  switch (address.family) {
    case "inet":
      return `${address.host}:${address.port}`;
    case "inet6":
      return `[${address.host}]:${address.port}`;
    case "unix":
      return address.path;
    case "abstract":
      return `@${address.name}`;
  }
}
