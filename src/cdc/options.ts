/**
 * Options of `CdcClient` and of `requestData`, validated once, up front:
 * a bad option fails the constructor or call, never the stream later.
 * @module
 */

import { type CdcTarget, parseCdcAddress } from "./address.ts";
import { authenticationMessage } from "./auth.ts";
import { type ReconnectOptions, type ReconnectPolicy, reconnectPolicy } from "./backoff.ts";
import { checkUuid, randomUuid, registerCommand } from "./command.ts";
import type { ConnectionLimits } from "./connection.ts";
import { CdcArgumentError } from "./errors.ts";
import type { Gtid } from "./gtid.ts";
import { DEFAULT_MAX_LINE_BYTES } from "./line_reader.ts";
import { type CdcLogger, silentLogger } from "./logger.ts";

/** Options of `new CdcClient(…)`. Durations are milliseconds; `Infinity` means none. */
export interface CdcClientOptions {
  /** `host:port` or `[v6]:port` of the CDC listener (port 4001 if omitted). */
  readonly address: string;
  readonly user: string;
  readonly password: string;
  /** Client id for `REGISTER`, at most 32 characters (default: random). */
  readonly uuid?: string;
  /** Limit for establishing the TCP connection (default 5000). */
  readonly dialTimeout?: number;
  /**
   * Limit for each wait for a reply (login, registration, the first answer to
   * `REQUEST-DATA`) and for the rest of a line once it has begun (default 5000).
   */
  readonly readTimeout?: number;
  /** Limit for sending each command (default 5000). */
  readonly writeTimeout?: number;
  /**
   * Longest silence between lines while streaming (default `Infinity`: the
   * stream has no heartbeats, so a quiet table is silent). Set it, with
   * `reconnect`, to detect a dead server.
   */
  readonly idleTimeout?: number;
  /** TCP keep-alive on the socket (default true). */
  readonly keepAlive?: boolean;
  /** Longest accepted line in bytes (default: the longest string V8 can hold). */
  readonly maxLineBytes?: number;
  /**
   * Reconnect after network failures, timeouts and fatal stream errors,
   * resuming from the last delivered GTID without repeating events
   * (default false).
   */
  readonly reconnect?: boolean | ReconnectOptions;
  /** Aborting it cancels the connect and every stream of the client. */
  readonly signal?: AbortSignal;
  readonly logger?: CdcLogger;
}

/** Options of `requestData`. */
export interface RequestDataOptions {
  /** Table version to start from, e.g. `3` (sent zero-padded: `000003`). */
  readonly version?: number | string;
  /** First transaction to stream, inclusive: `"0-3000-8"` or a {@link Gtid}. */
  readonly gtid?: string | Gtid;
  /**
   * When the table does not exist: yield a `waiting` event and keep waiting
   * for it (true), or fail with `CdcNoFileError` (false, the default).
   */
  readonly waitForTable?: boolean;
  /** Aborting it cancels this stream only. */
  readonly signal?: AbortSignal;
}

/** Everything a stream needs from its client, resolved. */
export interface ClientSettings {
  readonly target: CdcTarget;
  readonly loginMessage: string;
  readonly registerCommand: string;
  readonly limits: ConnectionLimits;
  readonly reconnect: ReconnectPolicy | null;
  readonly signal: AbortSignal | null;
  readonly logger: CdcLogger;
}

function duration(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0)) {
    throw new CdcArgumentError(
      `Cannot use option "${name}": expected a positive number of milliseconds or Infinity, got ${
        String(value)
      }`,
    );
  }
  return value;
}

/** Validates client options and fills in defaults; throws {@link CdcArgumentError}. */
export function resolveClientOptions(options: CdcClientOptions): ClientSettings {
  if (typeof options.password !== "string") {
    throw new CdcArgumentError('Cannot use option "password": expected a string');
  }
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new CdcArgumentError(
      `Cannot use option "maxLineBytes": expected a positive integer, got ${String(maxLineBytes)}`,
    );
  }
  const reconnect = options.reconnect ?? false;
  return {
    target: parseCdcAddress(options.address),
    loginMessage: authenticationMessage(options.user, options.password),
    registerCommand: registerCommand(checkUuid(options.uuid ?? randomUuid())),
    limits: {
      dialTimeout: duration("dialTimeout", options.dialTimeout, 5000),
      readTimeout: duration("readTimeout", options.readTimeout, 5000),
      writeTimeout: duration("writeTimeout", options.writeTimeout, 5000),
      idleTimeout: duration("idleTimeout", options.idleTimeout, Infinity),
      keepAlive: options.keepAlive ?? true,
      maxLineBytes,
    },
    reconnect: reconnect === false ? null : reconnectPolicy(reconnect === true ? {} : reconnect),
    signal: options.signal ?? null,
    logger: options.logger ?? silentLogger,
  };
}
