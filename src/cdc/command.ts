/**
 * The client's commands after login, as exact strings. Pure. The server reads
 * each socket read as one command, so they carry no line terminator.
 *
 * See cdc-protocol.md, "Register" and "Request data".
 * @module
 */

import { CdcArgumentError, quote } from "./errors.ts";
import { formatGtid, type Gtid } from "./gtid.ts";

/** MaxScale keeps the first 32 characters of a UUID. */
export const MAX_UUID_CHARS = 32;

/** Table versions are six digits in file names (`db.t.000003.avro`). */
const VERSION_DIGITS = 6;
const MAX_VERSION = 999_999;

/**
 * A fresh client UUID: 32 hex characters, so MaxScale's 32-character cut keeps
 * all of it.
 */
export function randomUuid(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/**
 * Checks a client UUID: 1 to 32 printable characters without space or comma
 * (the server cuts at 32 characters and ends the UUID at a comma or space, so
 * anything else would be silently altered).
 */
export function checkUuid(uuid: string): string {
  if (uuid.length === 0) throw new CdcArgumentError("UUID is empty");
  if (uuid.length > MAX_UUID_CHARS) {
    throw new CdcArgumentError(
      `UUID ${quote(uuid)} is too long: ${uuid.length} characters, at most ${MAX_UUID_CHARS}`,
    );
  }
  if (!/^[\x21-\x7e]+$/.test(uuid) || uuid.includes(",")) {
    throw new CdcArgumentError(
      `UUID ${quote(uuid)} may only contain printable ASCII without space or ","`,
    );
  }
  return uuid;
}

/** `REGISTER UUID=<uuid>, TYPE=JSON`. */
export function registerCommand(uuid: string): string {
  return `REGISTER UUID=${checkUuid(uuid)}, TYPE=JSON`;
}

/**
 * Zero-pads a table version to six digits: an unpadded version names a file
 * that does not exist (`ERR NO-FILE File 'db.t.3.avro' not found.`).
 * Accepts 1 to 999999 as a number or a string of digits.
 */
export function padVersion(version: number | string): string {
  const text = String(version);
  const value = /^[0-9]{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= MAX_VERSION)) {
    throw new CdcArgumentError(
      `Invalid table version ${quote(text)}: expected an integer from 1 to ${MAX_VERSION}`,
    );
  }
  return String(value).padStart(VERSION_DIGITS, "0");
}

/**
 * Checks a database or table name: it becomes part of `db.table[.version]`
 * and of a file name, so it may not be empty nor contain ".", "/", white
 * space or control characters.
 */
export function checkName(kind: "Database" | "Table", name: string): string {
  if (name === "") throw new CdcArgumentError(`${kind} name is empty`);
  // deno-lint-ignore no-control-regex -- control characters are what is refused
  if (/[.\/\s\x00-\x1f\x7f]/.test(name)) {
    throw new CdcArgumentError(
      `${kind} name ${quote(name)} may not contain ".", "/", white space or control characters`,
    );
  }
  return name;
}

/** What to request: a table, optionally a version and a starting GTID. */
export interface DataRequest {
  readonly database: string;
  readonly table: string;
  /** Unpadded is fine: it is padded here. */
  readonly version?: number | string;
  /** Inclusive: the stream starts with this transaction. */
  readonly gtid?: Gtid;
}

/** `REQUEST-DATA db.table[.NNNNNN] [gtid]`. */
export function requestDataCommand(request: DataRequest): string {
  let command = `REQUEST-DATA ${checkName("Database", request.database)}.${
    checkName("Table", request.table)
  }`;
  if (request.version !== undefined) command += `.${padVersion(request.version)}`;
  if (request.gtid !== undefined) command += ` ${formatGtid(request.gtid)}`;
  return command;
}
