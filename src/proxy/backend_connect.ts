/**
 * Opens a connection to a backend MySQL server and logs in on the client's
 * behalf (myproxy-behaviour.md §2). The authentication itself is the pure
 * `BackendLogin` state machine; this file only moves its packets.
 * @module
 */

import { formatAddress, type SocketAddress } from "../net/address.ts";
import type { StreamSocket } from "../net/stream_socket.ts";
import { connectFdSocket } from "../os/sockets.ts";
import type { FdSocket } from "../os/fd_socket.ts";
import { describePermissionError } from "../net/permission.ts";
import { parseServerGreeting } from "../mysql/handshake.ts";
import { BackendLogin, type RsaKeyCache } from "../mysql/auth/login.ts";
import { parseErr } from "../mysql/response.ts";
import { Capability } from "../mysql/constants.ts";
import type { MysqlError } from "../mysql/errors.ts";
import type { BackendCredentials } from "./policy.ts";
import { PacketSocket } from "./packet_socket.ts";
import { deadline } from "./deadline.ts";

/** Connect timeout and per-packet login timeout (the original used 10 s). */
export const BACKEND_TIMEOUT_MS = 10_000;

/** The backend could not be reached or did not speak MySQL; the client sees "Connection error". */
export class BackendConnectError extends Error {
  override name = "BackendConnectError";
}

/** A logged-in backend connection. */
export interface BackendLink {
  readonly socket: StreamSocket;
  readonly address: SocketAddress;
  readonly serverVersion: string;
  /** The backend's OK payload that ended the login. */
  readonly okPayload: Uint8Array;
  /** Capabilities sent to the backend; decode its OK/ERR with these. */
  readonly capabilities: number;
  /** Bytes the backend sent after its OK (normally none). */
  readonly leftover: Uint8Array;
}

/** The outcome of a login attempt the backend answered. */
export type LoginResult =
  | { readonly kind: "ok"; readonly link: BackendLink }
  | { readonly kind: "err"; readonly error: MysqlError };

function openSocket(address: SocketAddress): Promise<FdSocket> {
  const where = formatAddress(address);
  return new Promise((resolve, reject) => {
    let socket: FdSocket;
    try {
      socket = connectFdSocket(address);
    } catch (error) {
      reject(new BackendConnectError(describePermissionError(error, `connect to "${where}"`)));
      return;
    }
    const timeout = deadline(BACKEND_TIMEOUT_MS, () => {
      socket.destroy();
      reject(new BackendConnectError(`Cannot connect to "${where}": timed out`));
    });
    socket.once("error", (error) => {
      timeout.cancel();
      reject(new BackendConnectError(describePermissionError(error, `connect to "${where}"`)));
    });
    socket.once("connect", () => {
      timeout.cancel();
      socket.removeAllListeners("error");
      // Keeps a late error from crashing the process between phases; the
      // command phase logs errors and 'close' ends the session.
      socket.on("error", () => {});
      resolve(socket);
    });
  });
}

/**
 * Connects to `address` and logs in with `credentials`. Resolves with the
 * backend's verdict; rejects with {@link BackendConnectError} when there is no
 * usable MySQL server there.
 */
export async function loginToBackend(
  address: SocketAddress,
  credentials: BackendCredentials,
  clientCapabilities: number,
  rsaKeyCache: RsaKeyCache,
): Promise<LoginResult> {
  const socket = await openSocket(address);
  const packets = new PacketSocket(socket);
  try {
    const greetingPacket = await packets.read(BACKEND_TIMEOUT_MS);
    if (greetingPacket.payload[0] === 0xff) {
      // Servers may or may not send a SQLSTATE here; PROTOCOL_41 parsing copes with both.
      const error = parseErr(greetingPacket.payload, Capability.PROTOCOL_41);
      throw new BackendConnectError(
        `Backend refused the connection: ${error.code} ${error.message}`,
      );
    }
    const greeting = parseServerGreeting(greetingPacket.payload);
    const login = new BackendLogin({
      credentials,
      clientCapabilities,
      greeting,
      rsaKeyCache,
      serverKey: formatAddress(address),
      // MySQL takes unix sockets as secure: full auth then sends the clear password.
      secureTransport: address.family === "unix" || address.family === "abstract",
    });
    let sequenceId = 1;
    packets.write(sequenceId, await login.start());
    for (;;) {
      const packet = await packets.read(BACKEND_TIMEOUT_MS);
      const step = await login.onPacket(packet.payload);
      sequenceId = (packet.sequenceId + 1) & 0xff;
      if (step.kind === "send") {
        packets.write(sequenceId, step.payload);
        continue;
      }
      if (step.kind === "wait") continue;
      if (step.kind === "err") {
        socket.destroy();
        return { kind: "err", error: step.error };
      }
      // Nobody listens until the command phase starts: keep what arrives
      // meanwhile (bytes, an end, an error) in the kernel until then.
      socket.pause();
      return {
        kind: "ok",
        link: {
          socket,
          address,
          serverVersion: greeting.serverVersion,
          okPayload: step.payload,
          capabilities: login.capabilities,
          leftover: packets.detach(),
        },
      };
    }
  } catch (error) {
    socket.destroy();
    if (error instanceof BackendConnectError) throw error;
    throw new BackendConnectError(
      `Login to "${formatAddress(address)}" failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
