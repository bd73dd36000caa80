/**
 * Typed errors of the CDC client. Every failure reaches the caller as one of
 * these (or as the `reason` of an aborted `AbortSignal`); nothing is only
 * logged. Errors caused by a server reply carry the reply's exact text in
 * `serverMessage`.
 * @module
 */

/** Longest excerpt of a line quoted in an error message. */
const EXCERPT_CHARS = 200;

/** Quotes `text` for a message: JSON escaping, cut at 200 characters. */
export function quote(text: string): string {
  return text.length > EXCERPT_CHARS
    ? `${JSON.stringify(text.slice(0, EXCERPT_CHARS))}… (${text.length} characters)`
    : JSON.stringify(text);
}

/** Base class of every CDC client error. */
export class CdcError extends Error {
  override name = "CdcError";
}

/** An argument or option the client cannot use (bad GTID, version, UUID, …). */
export class CdcArgumentError extends CdcError {
  override name = "CdcArgumentError";
}

/** The client or stream was used after `close()`. */
export class CdcClosedError extends CdcError {
  override name = "CdcClosedError";
}

/**
 * The TCP connection failed: refused, reset, or closed by the server (also in
 * the middle of a line or during the handshake).
 */
export class CdcConnectionError extends CdcError {
  override name = "CdcConnectionError";
}

/** Which timeout expired. */
export type CdcTimeoutKind = "dial" | "read" | "write" | "idle";

/** A `dialTimeout`, `readTimeout`, `writeTimeout` or `idleTimeout` expired. */
export class CdcTimeoutError extends CdcError {
  override name = "CdcTimeoutError";
  /** The option that expired, without its `Timeout` suffix. */
  readonly kind: CdcTimeoutKind;
  /** The limit, in milliseconds. */
  readonly timeoutMs: number;

  constructor(kind: CdcTimeoutKind, timeoutMs: number, message: string) {
    super(message);
    this.kind = kind;
    this.timeoutMs = timeoutMs;
  }
}

/** A refusal by the server, with its reply verbatim. */
export class CdcServerError extends CdcError {
  override name = "CdcServerError";
  /** The server's reply line, exactly as received (without the newline). */
  readonly serverMessage: string;

  constructor(message: string, serverMessage: string, options?: ErrorOptions) {
    super(message, options);
    this.serverMessage = serverMessage;
  }
}

/** The server refused the credentials (`ERROR: Authentication failed`). */
export class CdcAuthenticationError extends CdcServerError {
  override name = "CdcAuthenticationError";
}

/** The server refused `REGISTER` (`ERR, code 12, msg: Registration failed`). */
export class CdcRegistrationError extends CdcServerError {
  override name = "CdcRegistrationError";
}

/** The server refused `REQUEST-DATA` (`ERR REQUEST-DATA with no data.`, …). */
export class CdcRequestError extends CdcServerError {
  override name = "CdcRequestError";
}

/**
 * The requested table file does not exist (`ERR NO-FILE File '…' not found.`).
 * The server keeps the connection and starts streaming if the table appears:
 * request with `waitForTable: true` to wait instead of failing.
 */
export class CdcNoFileError extends CdcRequestError {
  override name = "CdcNoFileError";
}

/** A fatal error in the middle of the stream (`ERR fatal error: MAXAVRO_ERR_IO`). */
export class CdcStreamError extends CdcServerError {
  override name = "CdcStreamError";
}

/**
 * The server sent something the protocol does not allow: a handshake reply
 * that is neither `OK` nor an error, a line that is neither a schema nor a
 * row, invalid JSON or UTF-8, or a line longer than `maxLineBytes`.
 */
export class CdcProtocolError extends CdcError {
  override name = "CdcProtocolError";
  /** The offending line (cut to 200 characters), or `""` when not a line issue. */
  readonly line: string;

  constructor(message: string, line = "", options?: ErrorOptions) {
    super(message, options);
    this.line = line.length > EXCERPT_CHARS ? line.slice(0, EXCERPT_CHARS) : line;
  }
}

/**
 * Whether reconnecting may help: the network or the server's reader failed,
 * not the credentials, the request or the data.
 */
export function isRetriable(error: unknown): boolean {
  return error instanceof CdcConnectionError || error instanceof CdcTimeoutError ||
    error instanceof CdcStreamError;
}
