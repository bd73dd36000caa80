/**
 * The two error families of the codec: `MysqlError`, the only thing a client
 * or backend ever sees on the wire, and internal errors thrown by the codec.
 * @module
 */

/** An error as carried by an ERR packet. */
export interface MysqlError {
  /** Error code, e.g. 1045. */
  readonly code: number;
  /** Five-character SQLSTATE, e.g. `"28000"`. */
  readonly sqlState: string;
  readonly message: string;
}

/** Another name for `MysqlError` (plain data, not an `Error` subclass). */
export type MysqlErrorInfo = MysqlError;

/**
 * A packet that does not have the shape its type demands: truncated, a
 * length running past the end, an unsupported format. The one error every
 * parser in `src/mysql/` throws for bad input.
 */
export class MalformedPacketError extends Error {
  override name = "MalformedPacketError";
}

/**
 * An ERR packet arrived where something else was expected (e.g. instead of a
 * server greeting: "Too many connections", "Host is not allowed").
 */
export class ErrPacketError extends Error {
  override name = "ErrPacketError";
  /** The decoded ERR packet. */
  readonly error: MysqlError;

  constructor(error: MysqlError) {
    super(`Server sent error ${error.code} (${error.sqlState}): ${error.message}`);
    this.error = error;
  }
}
