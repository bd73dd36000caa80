/**
 * One change-data stream: connect, log in, register, request, then turn lines
 * into events as fast as the caller iterates, and nothing faster. With
 * reconnect, a failed connection is replaced after a backoff and the stream
 * resumes where the caller left it, without repeats.
 * @module
 */

import { backoffDelay } from "./backoff.ts";
import { type DataRequest, requestDataCommand } from "./command.ts";
import { type CdcConnection, dial } from "./connection.ts";
import { sleep } from "./deadline.ts";
import { CdcConnectionError, type CdcError, CdcNoFileError, isRetriable } from "./errors.ts";
import type { CdcEvent, StreamPosition } from "./events.ts";
import { authenticate, register } from "./handshake.ts";
import type { ClientSettings } from "./options.ts";
import { ResumeTracker } from "./resume.ts";
import { interpretLine } from "./stream_line.ts";

/** The abort reason of `close()`: ends the stream without an error. */
const CLOSED = Symbol("closed");

/** What a stream asks for, validated. */
export interface StreamRequest extends DataRequest {
  readonly waitForTable: boolean;
  readonly signal: AbortSignal | null;
}

/**
 * An async iterable of {@link CdcEvent}s from `CdcClient.requestData`. The
 * connection opens on the first `next()`; leaving a `for await` loop, or
 * `close()`, closes it.
 */
export class CdcStream implements AsyncIterableIterator<CdcEvent>, AsyncDisposable {
  readonly #settings: ClientSettings;
  readonly #request: StreamRequest;
  readonly #halt = new AbortController();
  readonly #tracker: ResumeTracker;
  readonly #generator: AsyncGenerator<CdcEvent, void, undefined>;
  readonly #onFinish: (stream: CdcStream) => void;

  /** Internal: use `CdcClient.requestData`. */
  constructor(
    settings: ClientSettings,
    request: StreamRequest,
    onFinish: (stream: CdcStream) => void,
  ) {
    this.#settings = settings;
    this.#request = request;
    this.#onFinish = onFinish;
    this.#tracker = new ResumeTracker(request);
    this.#generator = this.#run();
  }

  /** The last row delivered to the caller: persist it to resume later. */
  get position(): StreamPosition | null {
    return this.#tracker.position;
  }

  /** The next event; rejects with a typed `CdcError` or the abort reason. */
  next(): Promise<IteratorResult<CdcEvent, void>> {
    return this.#generator.next();
  }

  /** Called when a `for await` loop is left: closes the stream. */
  async return(): Promise<IteratorResult<CdcEvent, void>> {
    await this.close();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Closes the connection and ends the iteration (a pending `next()`
   * resolves as done). Idempotent, safe in every state; resolves once the
   * socket is closed and no operation is pending.
   */
  async close(): Promise<void> {
    if (!this.#halt.signal.aborted) this.#halt.abort(CLOSED);
    await this.#generator.return();
    this.#onFinish(this);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async *#run(): AsyncGenerator<CdcEvent, void, undefined> {
    const halt = this.#halt.signal;
    const unlink = this.#linkSignals();
    const { reconnect, logger } = this.#settings;
    let attempt = 0;
    try {
      for (;;) {
        let conn: CdcConnection | null = null;
        try {
          conn = await this.#open();
          let started = false;
          let waiting = false;
          for (;;) {
            halt.throwIfAborted(); // Buffered lines are not delivered after an abort.
            const line = await conn.readLine(started || waiting ? "stream" : "reply");
            if (line === null) throw this.#closedByServer();
            const item = interpretLine(line, started);
            if (item === null) continue;
            if (item instanceof CdcNoFileError) {
              if (!this.#request.waitForTable) throw item;
              logger.warn(`${item.message}: waiting for the table`);
              waiting = true;
              yield { kind: "waiting", error: item };
              continue;
            }
            if (item.kind === "schema") {
              started = true;
              attempt = 0;
            }
            if (this.#tracker.accept(item)) yield item;
          }
        } catch (error) {
          if (halt.aborted) return this.#stopped();
          if (!reconnect || !isRetriable(error) || attempt >= reconnect.maxAttempts) throw error;
          conn?.close();
          attempt++;
          const delayMs = backoffDelay(attempt, reconnect);
          logger.warn(`${(error as Error).message}: reconnecting in ${delayMs} ms`);
          yield { kind: "reconnect", attempt, delayMs, error: error as CdcError };
          try {
            await sleep(delayMs, halt);
          } catch {
            return this.#stopped();
          }
          this.#tracker.beginResume();
        } finally {
          conn?.close();
        }
      }
    } finally {
      unlink();
      this.#onFinish(this);
    }
  }

  #closedByServer(): CdcConnectionError {
    return new CdcConnectionError(
      `Connection to ${JSON.stringify(this.#settings.target.label)} closed by the server`,
    );
  }

  /** Ends the generator: quietly after `close()`, with the reason after an abort. */
  #stopped(): void {
    const reason = this.#halt.signal.reason;
    if (reason !== CLOSED) throw reason;
  }

  /** Dials and performs the handshake and the request; closes on failure. */
  async #open(): Promise<CdcConnection> {
    const { target, limits, logger } = this.#settings;
    logger.debug(`Connecting to ${JSON.stringify(target.label)}`);
    const conn = await dial(target, limits, this.#halt.signal);
    try {
      await authenticate(conn, this.#settings.loginMessage);
      await register(conn, this.#settings.registerCommand);
      const command = requestDataCommand({ ...this.#request, ...this.#tracker.resumePoint() });
      logger.debug(`Sending ${JSON.stringify(command)}`);
      await conn.send(command);
      return conn;
    } catch (error) {
      conn.close();
      throw error;
    }
  }

  /** Makes the client's and the request's signals abort this stream. */
  #linkSignals(): () => void {
    const signals = [this.#settings.signal, this.#request.signal].filter((s) => s !== null);
    const listeners = signals.map((signal) => {
      const listener = () => this.#halt.abort(signal.reason);
      if (signal.aborted) listener();
      else signal.addEventListener("abort", listener, { once: true });
      return { signal, listener };
    });
    return () => {
      for (const { signal, listener } of listeners) signal.removeEventListener("abort", listener);
    };
  }
}
