/**
 * Line-oriented logging to stderr (journald adds timestamps under systemd).
 * Every line about a client starts with its log prefix
 * (`pid=X uid=Y account="a"`), so operators can grep one customer.
 * @module
 */

/** Severity, lowest first. */
export type LogLevel = "debug" | "info" | "warning" | "error";

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };
const encoder = new TextEncoder();
let threshold: number = ORDER.info;

/** Sets the lowest level that is written. */
export function setLogLevel(level: LogLevel): void {
  threshold = ORDER[level];
}

/** Writes one line `level: [prefix: ]message` when `level` passes the threshold. */
export function log(level: LogLevel, message: string, prefix?: string): void {
  if (ORDER[level] < threshold) return;
  const line = prefix ? `${level}: ${prefix}: ${message}\n` : `${level}: ${message}\n`;
  Deno.stderr.writeSync(encoder.encode(line));
}
