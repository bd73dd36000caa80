/**
 * The CDC listener's address: `host:port`, `[v6]:port`, or a bare host
 * (port 4001, MaxScale's default CDC port).
 * @module
 */

import { AddressError, splitHostPort } from "../net/address.ts";
import { CdcArgumentError, quote } from "./errors.ts";

/** MaxScale's default port for the CDC listener. */
export const CDC_DEFAULT_PORT = 4001;

/** A TCP endpoint to dial. */
export interface CdcTarget {
  readonly hostname: string;
  readonly port: number;
  /** The address as the user wrote it, for messages. */
  readonly label: string;
}

/** Parses an address; throws {@link CdcArgumentError} on bad syntax. */
export function parseCdcAddress(address: string): CdcTarget {
  if (address.startsWith("/") || address.startsWith("@")) {
    throw new CdcArgumentError(`Address ${quote(address)} is not TCP: expected "host:port"`);
  }
  let parts;
  try {
    parts = splitHostPort(address, CDC_DEFAULT_PORT);
  } catch (error) {
    throw new CdcArgumentError((error as AddressError).message, { cause: error });
  }
  if (parts.host === "") throw new CdcArgumentError(`Missing host in address ${quote(address)}`);
  if (parts.port === 0) throw new CdcArgumentError(`Port 0 in address ${quote(address)}`);
  return { hostname: parts.host, port: parts.port, label: address };
}
