/**
 * How the fake CDC server reads the client's commands, as MaxScale does.
 * Pure.
 * @module
 */

import { createHash } from "node:crypto";

/** A parsed `REQUEST-DATA db.table[.version] [gtid]`. */
export interface DataRequest {
  readonly database: string;
  readonly table: string;
  /** The version text exactly as sent (MaxScale puts it in the file name), or null. */
  readonly versionText: string | null;
  readonly gtid: { readonly domain: number; readonly sequence: bigint } | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Whether a login command (`hex(user:SHA1(password))`, ≤ 128 characters) is valid. */
export function checkLogin(command: string, users: ReadonlyMap<string, string>): boolean {
  if (command.length > 128) return false;
  const bytes = fromHex(command);
  const colon = bytes?.indexOf(0x3a) ?? -1;
  if (!bytes || colon < 0) return false;
  const password = users.get(decoder.decode(bytes.subarray(0, colon)));
  const digest = bytes.subarray(colon + 1);
  if (password === undefined || digest.length !== 20) return false;
  const expected = createHash("sha1").update(encoder.encode(password)).digest();
  return expected.every((byte, i) => byte === digest[i]);
}

/** The UUID of a `REGISTER UUID=…, TYPE=JSON` (cut at 32 characters), or null. */
export function parseRegister(command: string): string | null {
  const match = /^REGISTER UUID=([^, ]+)[, ]\s*TYPE=JSON$/.exec(command);
  return match ? match[1].slice(0, 32) : null;
}

/** A parsed request, or the exact error line MaxScale sends for it. */
export function parseRequest(command: string): DataRequest | { readonly error: string } {
  const argument = command.startsWith("REQUEST-DATA") ? command.slice(12).trim() : "";
  if (argument === "") return { error: "ERR REQUEST-DATA with no data." };
  const [file, gtidText] = argument.split(" ");
  const [database, table, versionText, extra] = file.split(".");
  if (table === undefined || extra !== undefined) {
    return { error: "ERR NO-FILE Filename not specified." };
  }
  const gtid = /^([0-9]+)-([0-9]+)-([0-9]+)$/.exec(gtidText ?? "");
  return {
    database,
    table,
    versionText: versionText ?? null,
    gtid: gtid ? { domain: Number(gtid[1]), sequence: BigInt(gtid[3]) } : null,
  };
}
