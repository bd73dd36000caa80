/**
 * One TCP connection to a CDC listener: dial, send one command per write,
 * read lines, each bounded by its own timeout. Any failure closes the socket
 * and surfaces as a typed error; an abort of `signal` closes it at once.
 * @module
 */

import type { CdcTarget } from "./address.ts";
import { withDeadline } from "./deadline.ts";
import {
  CdcConnectionError,
  CdcError,
  CdcProtocolError,
  CdcTimeoutError,
  type CdcTimeoutKind,
} from "./errors.ts";
import { LineReader } from "./line_reader.ts";

/** The socket operations the connection needs (a `Deno.Conn` has them). */
export interface Transport {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
}

/** Limits of one connection, in milliseconds (`Infinity`: none). */
export interface ConnectionLimits {
  readonly dialTimeout: number;
  readonly readTimeout: number;
  readonly writeTimeout: number;
  readonly idleTimeout: number;
  readonly keepAlive: boolean;
  readonly maxLineBytes: number;
}

/**
 * What a line read waits for: a `reply` to a command (bounded by
 * `readTimeout`), or the next `stream` line (bounded by `idleTimeout` until
 * its first byte, then by `readTimeout`).
 */
export type ReadMode = "reply" | "stream";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function detail(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A connected CDC socket. */
export class CdcConnection {
  readonly #transport: Transport;
  readonly #target: CdcTarget;
  readonly #limits: ConnectionLimits;
  readonly #signal: AbortSignal;
  readonly #lines: LineReader;
  readonly #onAbort = () => this.close();
  #mode: ReadMode = "reply";
  #expired: CdcTimeoutError | null = null;
  #closed = false;

  constructor(
    transport: Transport,
    target: CdcTarget,
    limits: ConnectionLimits,
    signal: AbortSignal,
  ) {
    this.#transport = transport;
    this.#target = target;
    this.#limits = limits;
    this.#signal = signal;
    this.#lines = new LineReader(
      (buffer, midLine) => this.#readInto(buffer, midLine),
      limits.maxLineBytes,
    );
    signal.addEventListener("abort", this.#onAbort, { once: true });
    if (signal.aborted) this.close();
  }

  /** Whether the socket is closed (by `close()`, a timeout or an abort). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one command in one write, within `writeTimeout`. */
  async send(command: string): Promise<void> {
    const bytes = encoder.encode(command);
    const ms = this.#limits.writeTimeout;
    try {
      await withDeadline(ms, () => this.#expire("write", ms), async () => {
        for (let sent = 0; sent < bytes.length;) {
          sent += await this.#transport.write(bytes.subarray(sent));
        }
      });
    } catch (error) {
      throw this.#translate(error, "sending to");
    }
  }

  /**
   * The next line as text, or `null` when the server closed the connection
   * on a line boundary.
   */
  async readLine(mode: ReadMode): Promise<string | null> {
    this.#mode = mode;
    const bytes = await this.#lines.readLine();
    if (bytes === null) return null;
    try {
      return decoder.decode(bytes);
    } catch (error) {
      throw new CdcProtocolError(`Line from ${this.#label()} is not valid UTF-8`, "", {
        cause: error,
      });
    }
  }

  /** Closes the socket. Idempotent; a pending read or write then fails. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signal.removeEventListener("abort", this.#onAbort);
    try {
      this.#transport.close();
    } catch {
      // Already closed by the peer's reset: nothing left to release.
    }
  }

  async #readInto(buffer: Uint8Array, midLine: boolean): Promise<number | null> {
    const kind: CdcTimeoutKind = this.#mode === "reply" || midLine ? "read" : "idle";
    const ms = kind === "read" ? this.#limits.readTimeout : this.#limits.idleTimeout;
    try {
      return await withDeadline(
        ms,
        () => this.#expire(kind, ms),
        () => this.#transport.read(buffer),
      );
    } catch (error) {
      throw this.#translate(error, "reading from");
    }
  }

  #label(): string {
    return JSON.stringify(this.#target.label);
  }

  #expire(kind: CdcTimeoutKind, ms: number): void {
    const what = kind === "write"
      ? `Cannot send to ${this.#label()} within writeTimeout`
      : kind === "idle"
      ? `No data from ${this.#label()} within idleTimeout`
      : this.#mode === "reply"
      ? `No reply from ${this.#label()} within readTimeout`
      : `Line from ${this.#label()} stopped half-way: no data within readTimeout`;
    this.#expired = new CdcTimeoutError(kind, ms, `${what} (${ms} ms)`);
    this.close();
  }

  #translate(error: unknown, doing: string): unknown {
    if (this.#expired) return this.#expired;
    if (this.#signal.aborted) return this.#signal.reason;
    if (error instanceof CdcError) return error;
    return new CdcConnectionError(
      `Connection failed while ${doing} ${this.#label()}: ${detail(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Connects within `dialTimeout`; `signal` cancels the attempt (rejecting
 * with its reason). TCP keep-alive is enabled unless `keepAlive` is false.
 */
export async function dial(
  target: CdcTarget,
  limits: ConnectionLimits,
  signal: AbortSignal,
): Promise<CdcConnection> {
  signal.throwIfAborted();
  const attempt = new AbortController();
  const onAbort = () => attempt.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  let conn: Deno.TcpConn;
  try {
    conn = await withDeadline(
      limits.dialTimeout,
      () => {
        timedOut = true;
        attempt.abort();
      },
      () => Deno.connect({ hostname: target.hostname, port: target.port, signal: attempt.signal }),
    );
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (timedOut) {
      throw new CdcTimeoutError(
        "dial",
        limits.dialTimeout,
        `Cannot connect to ${
          JSON.stringify(target.label)
        } within dialTimeout (${limits.dialTimeout} ms)`,
      );
    }
    throw new CdcConnectionError(
      `Cannot connect to ${JSON.stringify(target.label)}: ${detail(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (limits.keepAlive) conn.setKeepAlive(true);
  return new CdcConnection(conn, target, limits, signal);
}
