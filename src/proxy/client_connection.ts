/**
 * One client connection from accept to close: on_connect, greeting,
 * HandshakeResponse, on_handshake_response, backend login, on_command_phase,
 * then the command phase (myproxy-behaviour.md §1–3).
 * @module
 */

import type { StreamSocket } from "../net/stream_socket.ts";
import { formatAddress, type SocketAddress } from "../net/address.ts";
import { log, type LogLevel } from "../log.ts";
import { buildErr } from "../mysql/response.ts";
import { framePackets } from "../mysql/writer.ts";
import { ErrorCode, ProxyGreeting } from "../mysql/constants.ts";
import { MalformedPacketError } from "../mysql/errors.ts";
import type { RsaKeyCache } from "../mysql/auth/login.ts";
import {
  type BackendTarget,
  type ClientSession,
  type HandshakeInfo,
  type PeerCredentials,
  PolicyError,
  type SessionPolicy,
  type Verdict,
} from "./policy.ts";
import { ConnectionClosedError, PacketSocket } from "./packet_socket.ts";
import { BackendConnectError, loginToBackend } from "./backend_connect.ts";
import { CommandPhase } from "./command_phase.ts";
import { handleCommand } from "./commands.ts";
import { performHandshake } from "./client_handshake.ts";
import { reencodeOk } from "./reencode.ts";
import { deadline } from "./deadline.ts";

/** State shared by all connections of a proxy. */
export interface ProxyContext {
  readonly rsaKeyCache: RsaKeyCache;
  /** Counts a Lua failure (metrics). */
  luaError(): void;
}

/** Seconds a client has to send its HandshakeResponse. */
const HANDSHAKE_TIMEOUT_MS = 30_000;
const decoder = new TextDecoder();
/** How long a closing client may take to read our last bytes before it is cut off. */
const LINGER_MS = 5_000;

/** A proxied client connection; it is the `ClientSession` the policy sees. */
export class ClientConnection implements ClientSession {
  account: Uint8Array | null = null;
  serverVersion: string = ProxyGreeting.SERVER_VERSION;
  closed = false;
  /** Capabilities of the client, masked by what the proxy offers. */
  capabilities: number = ProxyGreeting.CAPABILITIES;
  /** The login as the client made it (for COM_CHANGE_USER). */
  login: HandshakeInfo | null = null;
  /** The database the backend session is in, when known. */
  currentDatabase: Uint8Array | null = null;
  phase: CommandPhase | null = null;

  constructor(
    readonly id: number,
    readonly peer: PeerCredentials | null,
    readonly socket: StreamSocket,
    readonly policy: SessionPolicy,
    readonly context: ProxyContext,
  ) {
    // Whatever phase the connection is in, a vanished client ends it (and
    // its backend); an 'error' without a listener would kill the process.
    socket.on("error", (error) => this.log("info", `Client socket error: ${error.message}`));
    socket.once("close", () => this.close());
  }

  get logPrefix(): string {
    const parts: string[] = [];
    if (this.peer) parts.push(`pid=${this.peer.pid} uid=${this.peer.uid}`);
    else parts.push(`conn=${this.id}`);
    if (this.account) parts.push(`account="${decoder.decode(this.account)}"`);
    return parts.join(" ");
  }

  log(level: LogLevel, message: string): void {
    log(level, message, this.logPrefix);
  }

  /** Runs the connection to its end; never rejects. */
  async run(): Promise<void> {
    try {
      await this.#run();
      // Awaited here rather than inside #run, whose suspended frame would
      // keep the login's state (packet reader, handshake) for the session.
      await this.phase?.finished;
    } catch (error) {
      if (error instanceof ConnectionClosedError) {
        this.log("info", `Client went away: ${error.message}`);
      } else {
        this.log("error", `Connection failed: ${(error as Error).message}`);
      }
    } finally {
      this.close();
    }
  }

  /** Closes everything and makes the policy object stale. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.phase?.close();
    // end() flushes a pending ERR before the FIN; destroy() would drop it.
    this.socket.end();
    const socket = this.socket;
    if (!socket.destroyed) {
      const linger = deadline(LINGER_MS, () => socket.destroy());
      socket.once("close", () => linger.cancel());
    }
    this.policy.release(this);
  }

  /** Sends ERR to the client, encoded with the client's capabilities. */
  sendError(sequenceId: number, code: number, sqlState: string, message: string): void {
    const payload = buildErr({ code, sqlState, message }, this.capabilities);
    this.socket.write(framePackets(sequenceId, payload));
  }

  /** Runs a policy callback; a PolicyError becomes ERR "Lua error" and `null`. */
  async callPolicy<T>(
    sequenceId: number,
    code: number,
    call: () => Promise<T>,
  ): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      this.context.luaError();
      this.log("error", `Lua error: ${error.message}`);
      if (!this.closed) this.sendError(sequenceId, code, "08S01", "Lua error");
      return null;
    }
  }

  async #run(): Promise<void> {
    const packets = new PacketSocket(this.socket);
    const handshake = await performHandshake(this, packets, HANDSHAKE_TIMEOUT_MS);
    if (!handshake) return;
    this.login = handshake.info;
    const verdict = await this.callPolicy(
      handshake.nextSequenceId,
      ErrorCode.HANDSHAKE_ERROR,
      () => this.policy.onHandshakeResponse(this, handshake.info),
    );
    if (!verdict || this.closed) return;
    if (verdict.kind === "err") {
      this.sendError(
        handshake.nextSequenceId,
        ErrorCode.HANDSHAKE_ERROR,
        "08S01",
        decoder.decode(verdict.message),
      );
      return;
    }
    if (verdict.kind !== "connect") throw new Error(`Unexpected verdict "${verdict.kind}"`);
    this.socket.pause();
    const link = await this.#connectBackend(verdict, handshake.nextSequenceId);
    if (!link) return;
    await this.#commandPhase(link, packets);
  }

  async #connectBackend(
    verdict: Extract<Verdict, { kind: "connect" }>,
    sequenceId: number,
  ) {
    let address: SocketAddress | null = null;
    try {
      address = await chooseAddress(verdict.target, this, verdict.readOnly);
      const result = await loginToBackend(
        address,
        verdict.credentials,
        this.capabilities,
        this.context.rsaKeyCache,
      );
      if (this.closed) {
        if (result.kind === "ok") result.link.socket.destroy();
        return null;
      }
      if (result.kind === "err") {
        this.log(
          "warning",
          `Backend ${formatAddress(address)} refused login: ${result.error.message}`,
        );
        this.sendError(sequenceId, result.error.code, result.error.sqlState, result.error.message);
        return null;
      }
      this.serverVersion = result.link.serverVersion;
      this.currentDatabase = verdict.credentials.database;
      this.socket.write(
        framePackets(
          sequenceId,
          reencodeOk(result.link.okPayload, result.link.capabilities, this.capabilities),
        ),
      );
      return result.link;
    } catch (error) {
      if (!(error instanceof BackendConnectError || error instanceof MalformedPacketError)) {
        throw error;
      }
      this.log("error", error.message);
      if (!this.closed) {
        this.sendError(sequenceId, ErrorCode.HANDSHAKE_ERROR, "08S01", "Connection error");
      }
      return null;
    }
  }

  async #commandPhase(
    link: { socket: StreamSocket; leftover: Uint8Array },
    packets: PacketSocket,
  ): Promise<void> {
    // The client may have gone while the OK was written (a failed send
    // closes the socket): no callback for a closed session, no stray backend.
    if (this.closed) {
      link.socket.destroy();
      return;
    }
    const phase = new CommandPhase(
      {
        handleCommand: (sequenceId, payload) => handleCommand(this, sequenceId, payload),
        sendError: (sequenceId, code, sqlState, message) =>
          this.sendError(sequenceId, code, sqlState, message),
        log: (level, message) => this.log(level, message),
      },
      this.socket,
      link.socket,
    );
    this.phase = phase;
    try {
      await this.policy.onCommandPhase(this);
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      // The client is waiting for nothing: log it, no ERR to send.
      this.context.luaError();
      this.log("error", `Lua error in on_command_phase: ${error.message}`);
    }
    // close() during the callback closed the phase too (it was set first).
    if (this.closed) return;
    // run() awaits the session (`phase.finished`).
    void phase.run(packets.detach(), link.leftover);
  }
}

function chooseAddress(
  target: BackendTarget,
  session: ClientSession,
  readOnly: boolean,
): Promise<SocketAddress> | SocketAddress {
  return "family" in target ? target : target.choose(session, readOnly);
}
