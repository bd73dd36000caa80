/**
 * The commands the proxy handles itself in the command phase
 * (myproxy-behaviour.md §3): COM_QUIT, COM_INIT_DB (local OK, on_init_db) and
 * COM_CHANGE_USER (to the login's own user: COM_RESET_CONNECTION).
 * @module
 */

import { Command, ErrorCode, ServerStatus } from "../mysql/constants.ts";
import { buildOk } from "../mysql/response.ts";
import { framePackets } from "../mysql/writer.ts";
import { parseChangeUser } from "../mysql/change_user.ts";
import { MalformedPacketError } from "../mysql/errors.ts";
import type { ClientConnection } from "./client_connection.ts";

const decoder = new TextDecoder();

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function initDbPacket(sequenceId: number, database: Uint8Array): Uint8Array {
  const payload = new Uint8Array(1 + database.length);
  payload[0] = Command.INIT_DB;
  payload.set(database, 1);
  return framePackets(sequenceId, payload);
}

/** Forwards COM_INIT_DB and records the database once the server says OK. */
function forwardInitDb(conn: ClientConnection, sequenceId: number, database: Uint8Array): void {
  const phase = conn.phase!;
  const name = database.slice();
  phase.tracker.peekNextPacket((firstByte) => {
    if (firstByte === 0x00) conn.currentDatabase = name;
  });
  phase.writeToBackend(initDbPacket(sequenceId, name));
}

async function initDbByPolicy(
  conn: ClientConnection,
  sequenceId: number,
  database: Uint8Array,
): Promise<void> {
  const replySequenceId = (sequenceId + 1) & 0xff;
  const verdict = await conn.callPolicy(
    replySequenceId,
    ErrorCode.HANDSHAKE_ERROR,
    () => conn.policy.onInitDb(conn, database.slice()),
  );
  if (!verdict || conn.closed) return;
  if (verdict.kind === "init_db") {
    forwardInitDb(conn, sequenceId, verdict.database);
  } else if (verdict.kind === "err") {
    conn.sendError(
      replySequenceId,
      ErrorCode.DBACCESS_DENIED,
      "42000",
      decoder.decode(verdict.message),
    );
  } else {
    conn.context.luaError();
    conn.log("error", `Lua error: on_init_db returned a "${verdict.kind}" action`);
    conn.sendError(replySequenceId, ErrorCode.HANDSHAKE_ERROR, "08S01", "Lua error");
  }
}

function initDb(
  conn: ClientConnection,
  sequenceId: number,
  database: Uint8Array,
): Promise<void> | undefined {
  if (sameBytes(database, conn.currentDatabase)) {
    const replySequenceId = (sequenceId + 1) & 0xff;
    const ok = buildOk(
      { affectedRows: 0, lastInsertId: 0, status: ServerStatus.AUTOCOMMIT, warnings: 0 },
      conn.capabilities,
    );
    conn.phase!.writeToClient(framePackets(replySequenceId, ok), replySequenceId);
    return undefined;
  }
  if (conn.policy.handlesInitDb) return initDbByPolicy(conn, sequenceId, database);
  forwardInitDb(conn, sequenceId, database);
  return undefined;
}

function changeUser(conn: ClientConnection, sequenceId: number, payload: Uint8Array): void {
  const phase = conn.phase!;
  let request;
  try {
    request = parseChangeUser(payload, conn.capabilities);
  } catch (error) {
    if (!(error instanceof MalformedPacketError)) throw error;
    request = null;
  }
  const login = conn.login!;
  if (
    request && sameBytes(request.user, login.user) &&
    sameBytes(request.database, login.database)
  ) {
    // Same account again: a session reset does the job without re-authenticating.
    phase.writeToBackend(framePackets(sequenceId, new Uint8Array([Command.RESET_CONNECTION])));
    return;
  }
  conn.currentDatabase = null;
  phase.writeToBackend(framePackets(sequenceId, payload));
}

/**
 * Handles one intercepted command packet. Returns a promise while a Lua
 * callback runs (client input is held meanwhile), otherwise undefined.
 */
export function handleCommand(
  conn: ClientConnection,
  sequenceId: number,
  payload: Uint8Array,
): Promise<void> | undefined {
  switch (payload[0]) {
    case Command.QUIT:
      conn.phase!.quit(framePackets(sequenceId, payload));
      return undefined;
    case Command.INIT_DB:
      return initDb(conn, sequenceId, payload.subarray(1));
    case Command.CHANGE_USER:
      changeUser(conn, sequenceId, payload);
      return undefined;
    default:
      conn.phase!.writeToBackend(framePackets(sequenceId, payload));
      return undefined;
  }
}
