/**
 * The CDC client: holds validated settings and the streams it opened, so
 * `close()` leaves no socket behind.
 * @module
 */

import { requestDataCommand } from "./command.ts";
import { CdcClosedError } from "./errors.ts";
import { toGtid } from "./gtid.ts";
import {
  type CdcClientOptions,
  type ClientSettings,
  type RequestDataOptions,
  resolveClientOptions,
} from "./options.ts";
import { CdcStream, type StreamRequest } from "./stream.ts";

/**
 * A MaxScale CDC client.
 *
 * ```ts
 * const client = new CdcClient({ address: "127.0.0.1:4001", user: "maxuser", password: "maxpwd" });
 * for await (const event of client.requestData("shop", "orders", { gtid: "0-3000-8" })) {
 *   if (event.kind === "row") console.log(event.eventType, event.values);
 * }
 * await client.close();
 * ```
 */
export class CdcClient implements AsyncDisposable {
  readonly #settings: ClientSettings;
  readonly #streams = new Set<CdcStream>();
  #closed = false;

  /** Validates the options; throws `CdcArgumentError`. Does not connect. */
  constructor(options: CdcClientOptions) {
    this.#settings = resolveClientOptions(options);
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Streams the changes of `database.table`: a schema event, then row events,
   * a new schema event on every schema change. Each call opens its own
   * connection (on the first `next()`). Throws `CdcArgumentError` for an
   * invalid name, version or GTID and `CdcClosedError` after `close()`.
   */
  requestData(database: string, table: string, options: RequestDataOptions = {}): CdcStream {
    if (this.#closed) throw new CdcClosedError("Cannot request data: the client is closed");
    const request: StreamRequest = {
      database,
      table,
      version: options.version,
      gtid: options.gtid === undefined ? undefined : toGtid(options.gtid),
      waitForTable: options.waitForTable ?? false,
      signal: options.signal ?? null,
    };
    requestDataCommand(request); // Validates names and version now, not at the first next().
    const stream = new CdcStream(this.#settings, request, (done) => this.#streams.delete(done));
    this.#streams.add(stream);
    return stream;
  }

  /** Closes every stream of this client. Idempotent, safe in every state. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#streams].map((stream) => stream.close()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
