/**
 * The command phase: bytes stream between client and backend in both
 * directions with backpressure (a side stops being read while the other side
 * cannot take more). Only the first bytes of each client command are looked
 * at, to handle COM_INIT_DB, COM_CHANGE_USER and COM_QUIT
 * (myproxy-behaviour.md §3).
 * @module
 */

import type { SocketReceiver, StreamSocket } from "../net/stream_socket.ts";
import { Command, ErrorCode } from "../mysql/constants.ts";
import { CommandSplitter, type Segment } from "./command_splitter.ts";
import { FrameTracker } from "./frame_tracker.ts";

/** What the command phase needs from its connection. */
export interface CommandPhaseHost {
  /** Handles an intercepted command; resolves once its effect is written. */
  handleCommand(sequenceId: number, payload: Uint8Array): Promise<void> | void;
  /** Sends an ERR to the client with the given sequence id. */
  sendError(sequenceId: number, code: number, sqlState: string, message: string): void;
  /** Logs with the client's prefix. */
  log(level: "info" | "warning" | "error", message: string): void;
}

/** `segment`, made to outlive the receive buffer its forwarded bytes point into. */
function ownedSegment(segment: Segment): Segment {
  // Command payloads are copies already (CommandSplitter).
  return segment.kind === "forward" ? { kind: "forward", bytes: segment.bytes.slice() } : segment;
}

/** One receiver class per direction keeps the poller's call sites monomorphic. */
class FromClient implements SocketReceiver {
  constructor(private readonly phase: CommandPhase) {}
  received(buffer: Uint8Array, length: number): void {
    this.phase.clientData(buffer, length);
  }
}

class FromBackend implements SocketReceiver {
  constructor(private readonly phase: CommandPhase) {}
  received(buffer: Uint8Array, length: number): void {
    this.phase.backendData(buffer, length);
  }
}

const INTERCEPTED = new Uint8Array(256);
for (const command of [Command.INIT_DB, Command.CHANGE_USER, Command.QUIT]) {
  INTERCEPTED[command] = 1;
}

/** Forwards one logged-in session until either side closes. */
export class CommandPhase {
  readonly #splitter = new CommandSplitter((command) => INTERCEPTED[command] === 1);
  readonly tracker = new FrameTracker();
  #busy = false;
  #backendFull = false;
  #queue: Segment[] = [];
  #closed = false;
  #lastSequenceId = 0;
  readonly #done: Promise<void>;
  #finish!: () => void;

  constructor(
    private readonly host: CommandPhaseHost,
    readonly client: StreamSocket,
    readonly backend: StreamSocket,
  ) {
    this.#done = new Promise((resolve) => this.#finish = resolve);
  }

  /** Starts forwarding, replaying bytes already read; resolves when the session ends. */
  run(clientLeftover: Uint8Array, backendLeftover: Uint8Array): Promise<void> {
    const { client, backend } = this;
    client.receiver = new FromClient(this);
    backend.receiver = new FromBackend(this);
    client.on("drain", () => backend.resume());
    backend.on("drain", () => {
      this.#backendFull = false;
      if (!this.#busy) client.resume();
    });
    client.on("end", () => this.close());
    client.on("close", () => this.close());
    client.on("error", (error) => {
      this.host.log("info", `Client connection failed: ${error.message}`);
      this.close();
    });
    backend.on("end", () => this.#backendLost("closed by server"));
    backend.on("close", () => this.#backendLost("closed"));
    backend.on("error", (error) => this.#backendLost(error.message));
    // Forwarding is synchronous; #process() clears this while a callback runs.
    client.quiet = true;
    backend.quiet = true;
    if (backendLeftover.length > 0) this.backendData(backendLeftover, backendLeftover.length);
    // The backend may have gone while Lua ran between login and now.
    if (backend.destroyed) this.#backendLost("closed before the command phase");
    if (clientLeftover.length > 0) this.clientData(clientLeftover, clientLeftover.length);
    backend.resume();
    client.resume();
    return this.#done;
  }

  /** Resolves when the session has ended (also when it ends before run()). */
  get finished(): Promise<void> {
    return this.#done;
  }

  /** Writes bytes to the backend, pausing the client while the backend is full. */
  writeToBackend(bytes: Uint8Array, length = bytes.length): void {
    if (!this.backend.write(bytes, length)) {
      this.#backendFull = true;
      this.client.pause();
    }
  }

  /** Writes bytes the proxy produced itself to the client. */
  writeToClient(bytes: Uint8Array, lastSequenceId: number): void {
    this.#lastSequenceId = lastSequenceId;
    this.client.write(bytes);
  }

  /** Ends both connections (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeAsyncWork();
    this.client.end();
    this.backend.destroy();
    this.#finish();
  }

  /** Closes the backend politely after forwarding QUIT, and the client. */
  quit(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeAsyncWork();
    this.backend.end(bytes);
    this.client.end();
    this.#finish();
  }

  /** The session's end resolves promises: the poller must give them a turn. */
  #wakeAsyncWork(): void {
    this.client.quiet = false;
    this.backend.quiet = false;
  }

  /** Bytes from the client: forwarded, or split to intercept commands. */
  clientData(buffer: Uint8Array, length: number): void {
    if (this.#closed) return;
    if (!this.#busy && this.#splitter.forwardsWhole(buffer, length)) {
      this.#lastSequenceId = this.#splitter.lastSequenceId;
      this.writeToBackend(buffer, length);
      return;
    }
    const segments = this.#splitter.push(buffer.subarray(0, length));
    this.#lastSequenceId = this.#splitter.lastSequenceId;
    if (this.#busy) {
      for (const segment of segments) this.#queue.push(ownedSegment(segment));
      return;
    }
    this.#process(segments);
  }

  #process(segments: Segment[]): void {
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      if (segment.kind === "forward") {
        this.writeToBackend(segment.bytes);
        continue;
      }
      const pending = this.host.handleCommand(segment.sequenceId, segment.payload);
      if (pending === undefined) continue;
      this.#busy = true;
      // The callback's promises must run before the poller blocks again.
      this.client.quiet = false;
      this.client.pause();
      this.#queue = segments.slice(i + 1).map(ownedSegment);
      pending.then(() => this.#resumeAfterCommand(), (error) => {
        this.host.log("error", `Command handling failed: ${(error as Error).message}`);
        this.close();
      });
      return;
    }
  }

  #resumeAfterCommand(): void {
    this.#busy = false;
    if (this.#closed) return;
    this.client.quiet = true;
    const queued = this.#queue;
    this.#queue = [];
    this.#process(queued);
    if (!this.#busy && !this.#backendFull) this.client.resume();
  }

  /** Bytes from the backend: forwarded to the client. */
  backendData(buffer: Uint8Array, length: number): void {
    if (this.#closed) return;
    this.tracker.push(buffer, length);
    this.#lastSequenceId = this.tracker.lastSequenceId;
    if (!this.client.write(buffer, length)) this.backend.pause();
  }

  #backendLost(reason: string): void {
    if (this.#closed) return;
    this.host.log("warning", `Backend connection lost: ${reason}`);
    // An ERR in the middle of a packet would corrupt it: then just close.
    if (this.tracker.atBoundary) {
      this.host.sendError(
        (this.#lastSequenceId + 1) & 0xff,
        ErrorCode.UNKNOWN_COM_ERROR,
        "08S01",
        "Connection to the server lost",
      );
    }
    this.close();
  }
}
