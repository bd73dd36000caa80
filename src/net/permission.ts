/**
 * Turns Deno's permission refusals into messages that tell the operator which
 * flag to add, e.g. `Requires net access to "10.0.0.5:3306": add
 * --allow-net=10.0.0.5:3306 to the "start" task in deno.json`.
 * @module
 */

const FLAG_OF_KIND: Record<string, string> = {
  net: "--allow-net",
  read: "--allow-read",
  write: "--allow-write",
  env: "--allow-env",
  run: "--allow-run",
  ffi: "--allow-ffi",
  sys: "--allow-sys",
};

/** True for Deno's permission errors (NotCapable, and PermissionDenied from the OS). */
export function isPermissionError(error: unknown): error is Error {
  return error instanceof Deno.errors.NotCapable;
}

/**
 * Describes `error` for an attempt to `what` (e.g. `connect to "db:3306"`).
 * Permission refusals name the missing flag; other errors keep their message.
 */
export function describePermissionError(error: unknown, what: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!isPermissionError(error)) return `Cannot ${what}: ${message}`;
  const match = /Requires (\w+) access to "([^"]*)"/.exec(message);
  if (!match) return `Cannot ${what}: ${message}`;
  const [, kind, target] = match;
  const flag = FLAG_OF_KIND[kind] ?? `--allow-${kind}`;
  return `Cannot ${what}: requires ${kind} access to "${target}": add ${flag}=${target} ` +
    `to the deno run flags (the "start" task in deno.json, or the systemd unit)`;
}
