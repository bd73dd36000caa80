/**
 * The client-facing handshake: on_connect, the greeting offering
 * `mysql_clear_password`, and the HandshakeResponse (myproxy-behaviour.md §1).
 * @module
 */

import { buildServerGreeting, parseHandshakeResponse } from "../mysql/handshake.ts";
import { MalformedPacketError } from "../mysql/errors.ts";
import { ErrorCode, ProxyGreeting } from "../mysql/constants.ts";
import type { HandshakeInfo } from "./policy.ts";
import type { ClientConnection } from "./client_connection.ts";
import type { PacketSocket } from "./packet_socket.ts";

const CLEAR_PASSWORD = ProxyGreeting.AUTH_PLUGIN;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The client's login and the sequence id of the proxy's next packet. */
export interface HandshakeOutcome {
  readonly info: HandshakeInfo;
  readonly nextSequenceId: number;
}

/** 20 random bytes without NUL (some clients treat the nonce as a C string). */
function makeNonce(): Uint8Array {
  const nonce = crypto.getRandomValues(new Uint8Array(20));
  for (let i = 0; i < nonce.length; i++) nonce[i] = (nonce[i] % 127) + 1;
  return nonce;
}

function stripNul(bytes: Uint8Array): Uint8Array {
  return bytes.length > 0 && bytes[bytes.length - 1] === 0 ? bytes.subarray(0, -1) : bytes;
}

function authSwitchRequest(nonce: Uint8Array): Uint8Array {
  const name = encoder.encode(CLEAR_PASSWORD);
  const out = new Uint8Array(1 + name.length + 1 + nonce.length + 1);
  out[0] = 0xfe;
  out.set(name, 1);
  out.set(nonce, name.length + 2);
  return out;
}

/**
 * Runs on_connect, greets the client and reads its login. Returns null when
 * the connection was refused (the ERR is already sent).
 */
export async function performHandshake(
  conn: ClientConnection,
  packets: PacketSocket,
  timeoutMs: number,
): Promise<HandshakeOutcome | null> {
  const verdict = await conn.callPolicy(
    0,
    ErrorCode.HANDSHAKE_ERROR,
    () => conn.policy.onConnect(conn),
  );
  if (!verdict || conn.closed) return null;
  if (verdict.kind === "err") {
    conn.sendError(0, ErrorCode.HANDSHAKE_ERROR, "08S01", decoder.decode(verdict.message));
    return null;
  }
  if (packets.hasUnread) {
    conn.log("warning", "Client sent data before the greeting");
    return null;
  }
  const nonce = makeNonce();
  packets.write(
    0,
    buildServerGreeting({
      serverVersion: conn.serverVersion,
      connectionId: conn.id,
      authData: nonce,
      capabilities: ProxyGreeting.CAPABILITIES,
      charset: ProxyGreeting.CHARSET,
      status: ProxyGreeting.STATUS,
      authPluginName: CLEAR_PASSWORD,
    }),
  );
  const response = await packets.read(timeoutMs);
  let parsed;
  try {
    parsed = parseHandshakeResponse(response.payload, ProxyGreeting.CAPABILITIES);
  } catch (error) {
    if (!(error instanceof MalformedPacketError)) throw error;
    conn.log("warning", `Malformed HandshakeResponse: ${error.message}`);
    conn.sendError(
      (response.sequenceId + 1) & 0xff,
      ErrorCode.HANDSHAKE_ERROR,
      "08S01",
      "Bad handshake",
    );
    return null;
  }
  conn.capabilities = parsed.capabilities;
  let password = stripNul(parsed.authResponse);
  let sequenceId = (response.sequenceId + 1) & 0xff;
  if (parsed.authPluginName !== null && parsed.authPluginName !== CLEAR_PASSWORD) {
    // The client answered with another plugin's scramble: ask for the clear text.
    packets.write(sequenceId, authSwitchRequest(nonce));
    const reply = await packets.read(timeoutMs);
    password = stripNul(reply.payload);
    sequenceId = (reply.sequenceId + 1) & 0xff;
  }
  const database = parsed.database && parsed.database.length > 0 ? parsed.database : null;
  return {
    info: {
      user: parsed.user.slice(),
      password: password.slice(),
      database: database?.slice() ?? null,
    },
    nextSequenceId: sequenceId,
  };
}
