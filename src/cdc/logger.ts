/**
 * Where the client reports what it does. `console` fits; the default is
 * silent. Logging is for operators only: every error also reaches the caller.
 * @module
 */

/** A logger with the four levels the client uses. */
export interface CdcLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

function ignore(_message: string): void {}

/** A logger that drops everything. */
export const silentLogger: CdcLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
