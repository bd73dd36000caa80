/**
 * MariaDB GTIDs as CDC uses them: `domain-server_id-sequence`, where domain
 * and server id are 32-bit and the sequence is 64-bit (kept as `bigint`).
 * @module
 */

import { CdcArgumentError, quote } from "./errors.ts";

/** A MariaDB global transaction id. */
export interface Gtid {
  readonly domain: number;
  readonly serverId: number;
  readonly sequence: bigint;
}

const MAX_U32 = 0xffff_ffff;
const MAX_U64 = 0xffff_ffff_ffff_ffffn;
const GTID_PATTERN = /^([0-9]{1,10})-([0-9]{1,10})-([0-9]{1,20})$/;

/** Parses `domain-server_id-sequence`; throws {@link CdcArgumentError} if invalid. */
export function parseGtid(text: string): Gtid {
  const match = GTID_PATTERN.exec(text);
  if (!match) {
    throw new CdcArgumentError(
      `Invalid GTID ${quote(text)}: expected "domain-server_id-sequence", e.g. "0-3000-8"`,
    );
  }
  const domain = Number(match[1]);
  const serverId = Number(match[2]);
  const sequence = BigInt(match[3]);
  if (domain > MAX_U32) throw new CdcArgumentError(`Invalid GTID ${quote(text)}: domain too large`);
  if (serverId > MAX_U32) {
    throw new CdcArgumentError(`Invalid GTID ${quote(text)}: server id too large`);
  }
  if (sequence > MAX_U64) {
    throw new CdcArgumentError(`Invalid GTID ${quote(text)}: sequence too large`);
  }
  return { domain, serverId, sequence };
}

/** Checks a GTID object's ranges and returns it; throws {@link CdcArgumentError}. */
export function checkGtid(gtid: Gtid): Gtid {
  return parseGtid(formatGtid(gtid));
}

/** Formats a GTID as `domain-server_id-sequence`. */
export function formatGtid(gtid: Gtid): string {
  return `${gtid.domain}-${gtid.serverId}-${gtid.sequence}`;
}

/** Accepts the text or object form and returns the validated object. */
export function toGtid(value: string | Gtid): Gtid {
  return typeof value === "string" ? parseGtid(value) : checkGtid(value);
}
