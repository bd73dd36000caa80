/**
 * COM_CHANGE_USER parsing: only the fields the proxy compares (user and
 * database); the auth data is skipped.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_change_user.html
 * @module
 */

import { Capability, Command, hasCapability } from "./constants.ts";
import { MalformedPacketError } from "./errors.ts";
import { PacketReader } from "./reader.ts";

/** The parts of COM_CHANGE_USER the proxy looks at (views into the payload). */
export interface ChangeUserRequest {
  readonly user: Uint8Array;
  /** `null` when absent or empty. */
  readonly database: Uint8Array | null;
}

/** Parses a COM_CHANGE_USER payload sent by a client with capabilities `caps`. */
export function parseChangeUser(payload: Uint8Array, caps: number): ChangeUserRequest {
  const reader = new PacketReader(payload);
  if (reader.u8() !== Command.CHANGE_USER) {
    throw new MalformedPacketError("Not a COM_CHANGE_USER packet");
  }
  const user = reader.nulBytes();
  if (hasCapability(caps, Capability.SECURE_CONNECTION)) reader.skip(reader.u8());
  else reader.nulBytes();
  const database = reader.atEnd ? null : reader.nulBytes();
  return { user, database: database && database.length > 0 ? database : null };
}
