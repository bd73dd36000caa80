/**
 * Turns Deno's refusals into messages that tell the operator which flag to
 * add, so a Lua function that needs a permission fails with an actionable Lua
 * error instead of killing the process.
 *
 * Deno reports a missing flag as `Deno.errors.NotCapable` ("Requires net
 * access to "db1:3306", run again with the --allow-net flag"); its node:dns
 * emulation reports a refused lookup as `getaddrinfo EPERM db1` (code
 * `EPERM`), which needs net access to the bare host name.
 * `Deno.errors.PermissionDenied` is the operating system saying no (file
 * modes, sandboxing): no Deno flag helps there.
 * @module
 */

/** Where the operator adds Deno flags. */
const FLAG_HINT = 'to the deno run flags (deno.json task "start")';

interface DenoRefusal {
  readonly kind: string;
  readonly target: string;
}

function refusalOf(error: unknown): DenoRefusal | null {
  if (error instanceof Deno.errors.NotCapable) {
    const match = /Requires (\w+) access to "([^"]*)"/.exec(error.message);
    if (match) return { kind: match[1], target: match[2] };
    const bare = /Requires (\w+) access/.exec(error.message);
    if (bare) return { kind: bare[1], target: "" };
    return null;
  }
  const nodeError = error as { code?: unknown; syscall?: unknown; hostname?: unknown };
  if (
    error instanceof Error && nodeError.code === "EPERM" &&
    nodeError.syscall === "getaddrinfo" && typeof nodeError.hostname === "string"
  ) {
    return { kind: "net", target: nodeError.hostname };
  }
  return null;
}

/** The error itself or the first error in its `cause` chain matching `test`. */
function findInChain<T>(error: unknown, test: (e: unknown) => T | null): T | null {
  for (let e = error, depth = 0; e != null && depth < 8; depth++) {
    const found = test(e);
    if (found) return found;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** True when `error` (or its cause) is a permission refusal by Deno or the OS. */
export function isPermissionError(error: unknown): boolean {
  return findInChain(
    error,
    (e) => refusalOf(e) ?? (e instanceof Deno.errors.PermissionDenied ? e : null),
  ) !== null;
}

/**
 * Advice for a refused permission, e.g. `Requires net access to "db1":
 * add --allow-net=db1 to the deno run flags (deno.json task "start")`,
 * or `null` when `error` is no Deno refusal.
 */
export function permissionAdvice(error: unknown): string | null {
  const refusal = findInChain(error, refusalOf);
  if (!refusal) return null;
  const { kind, target } = refusal;
  if (target === "") return `Requires ${kind} access: add --allow-${kind} ${FLAG_HINT}`;
  return `Requires ${kind} access to "${target}": add --allow-${kind}=${target} ${FLAG_HINT}`;
}

/**
 * The message a Lua caller sees for a failed host operation. A Deno refusal
 * becomes advice, prefixed with `Cannot ${what}: ` when `what` is given
 * (`Cannot resolve "db1:3306": requires net access to "db1": add
 * --allow-net=db1 ...`); an OS-level PermissionDenied is flagged as such;
 * anything else keeps its own message.
 */
export function describeHostError(error: unknown, what?: string): string {
  const advice = permissionAdvice(error);
  if (advice) {
    return what ? `Cannot ${what}: ${advice[0].toLowerCase()}${advice.slice(1)}` : advice;
  }
  const message = error instanceof Error ? error.message : String(error);
  const denied = findInChain(error, (e) => e instanceof Deno.errors.PermissionDenied ? e : null);
  if (denied) return `${message} (refused by the operating system, not by Deno)`;
  return message;
}

/**
 * `Cannot ${what}: …` for any failure: the flag to add for a Deno refusal,
 * the error's own message otherwise. For logs and startup errors.
 */
export function describePermissionError(error: unknown, what: string): string {
  if (permissionAdvice(error)) return describeHostError(error, what);
  return `Cannot ${what}: ${describeHostError(error)}`;
}
