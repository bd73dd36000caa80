/**
 * Command-line parsing for the CDC tool. Pure: no I/O, no exit.
 * @module
 */

import { parseArgs } from "node:util";

/** A command line that cannot be understood (exit status 64). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The environment variable read when there is no `--password-file`. */
export const PASSWORD_ENV = "MAXSCALE_CDC_PASSWORD";

/** What the command line asks for. */
export interface CliOptions {
  readonly help: boolean;
  readonly address: string;
  readonly user: string;
  readonly passwordFile: string | null;
  readonly database: string;
  readonly table: string;
  readonly gtid: string | null;
  readonly version: string | null;
  readonly uuid: string | null;
  readonly wait: boolean;
  readonly reconnect: boolean;
  /** Milliseconds; `undefined` keeps the library default. */
  readonly dialTimeout: number | undefined;
  readonly readTimeout: number | undefined;
  readonly idleTimeout: number | undefined;
  readonly logLevel: "debug" | "info" | "error";
}

/** Text printed by `--help`. */
export const USAGE = `Usage: deno task cdc -- --address HOST:PORT --user USER [--password-file FILE]
                      [options] DATABASE.TABLE

Streams the changes of one table from a MaxScale CDC listener (TYPE=JSON) and
prints one JSON object per line to stdout: the table schema, then every row
change, exactly as MaxScale sends them (a new schema line on each schema
change). Logs go to stderr. Stop it with Ctrl-C.

Options:
  --address HOST:PORT     the CDC listener; port 4001 if omitted
  --user USER             the CDC user
  --password-file FILE    file holding the password (one trailing newline is
                          ignored); without it, the ${PASSWORD_ENV}
                          environment variable is used. The password is never
                          taken from the command line.
  --gtid D-S-N            start at this transaction, inclusive (e.g. 0-3000-8)
  --version N             start at this table version (zero-padded for you)
  --uuid ID               client id for REGISTER, at most 32 characters
                          (default: random)
  --wait                  if the table does not exist yet, wait for it
                          instead of failing
  --reconnect             after a lost connection, timeout or fatal stream
                          error, reconnect with backoff and resume after the
                          last printed row (no row is printed twice)
  --dial-timeout SECONDS  limit for connecting (default 5)
  --read-timeout SECONDS  limit for each reply and for finishing a line once
                          begun (default 5)
  --idle-timeout SECONDS  longest silence between lines (default: none; the
                          stream has no heartbeats)
  --verbose               also log debug messages
  --quiet                 log errors only
  --help                  show this text

Exit status:
  0   stopped by Ctrl-C or SIGTERM, or stdout was closed
  64  usage error
  66  the password file cannot be read, or the server refused the request
      (e.g. the table does not exist)
  69  cannot connect, timeout, connection lost, or fatal stream error
  70  internal error
  76  protocol error: the server sent something unexpected
  77  authentication or registration refused
`;

function seconds(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !(value > 0) || !Number.isFinite(value)) {
    throw new UsageError(`Option "--${name}" needs a positive number of seconds, got "${text}"`);
  }
  return value * 1000;
}

function required(name: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new UsageError(`Option "--${name}" is required`);
  return value;
}

/** Parses `argv` (without the program name). Throws {@link UsageError}. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  // `deno task cdc -- …` passes the "--" through.
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        address: { type: "string" },
        user: { type: "string" },
        password: { type: "string" },
        "password-file": { type: "string" },
        gtid: { type: "string" },
        version: { type: "string" },
        uuid: { type: "string" },
        wait: { type: "boolean" },
        reconnect: { type: "boolean" },
        "dial-timeout": { type: "string" },
        "read-timeout": { type: "string" },
        "idle-timeout": { type: "string" },
        verbose: { type: "boolean" },
        quiet: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const { values, positionals } = parsed;
  const help = values.help ?? false;
  if (values.password !== undefined) {
    throw new UsageError(
      `Option "--password" is not accepted: other users can read command lines; ` +
        `use "--password-file FILE" or ${PASSWORD_ENV}`,
    );
  }
  if (help) return { ...EMPTY, help };
  if (positionals.length !== 1) {
    throw new UsageError(`Expected one DATABASE.TABLE argument, got ${positionals.length}`);
  }
  const parts = positionals[0].split(".");
  if (parts.length !== 2 || parts[0] === "" || parts[1] === "") {
    throw new UsageError(`Expected DATABASE.TABLE, got "${positionals[0]}"`);
  }
  if (values.verbose && values.quiet) {
    throw new UsageError('Options "--verbose" and "--quiet" exclude each other');
  }
  if (values["password-file"] === "") throw new UsageError('Option "--password-file" needs a path');
  return {
    help,
    address: required("address", values.address),
    user: required("user", values.user),
    passwordFile: values["password-file"] ?? null,
    database: parts[0],
    table: parts[1],
    gtid: values.gtid ?? null,
    version: values.version ?? null,
    uuid: values.uuid ?? null,
    wait: values.wait ?? false,
    reconnect: values.reconnect ?? false,
    dialTimeout: seconds("dial-timeout", values["dial-timeout"]),
    readTimeout: seconds("read-timeout", values["read-timeout"]),
    idleTimeout: seconds("idle-timeout", values["idle-timeout"]),
    logLevel: values.verbose ? "debug" : values.quiet ? "error" : "info",
  };
}

const EMPTY: CliOptions = {
  help: false,
  address: "",
  user: "",
  passwordFile: null,
  database: "",
  table: "",
  gtid: null,
  version: null,
  uuid: null,
  wait: false,
  reconnect: false,
  dialTimeout: undefined,
  readTimeout: undefined,
  idleTimeout: undefined,
  logLevel: "info",
};
