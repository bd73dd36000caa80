/**
 * Command-line parsing for `myproxy`. Pure: no I/O, no exit.
 * @module
 */

import { parseArgs } from "node:util";

/** What the command line asks for. */
export interface Options {
  readonly config: string;
  readonly check: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

/** A command line that cannot be understood (exit status 64). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The default configuration path, relative to the working directory. */
export const DEFAULT_CONFIG = "lua/config.lua";

/** Text printed by `--help`. */
export const USAGE = `Usage: myproxy [--config PATH] [--check]

A MySQL proxy whose behaviour is written in Lua.

Options:
  --config PATH  the Lua configuration (default: ${DEFAULT_CONFIG})
  --check        load and validate the configuration, print what it would
                 listen on, and exit
  --help         show this text
  --version      show the version

Exit status: 0 ok, 64 usage error, 78 configuration or Lua error.
`;

/** Parses `argv` (without the program name). Throws {@link UsageError}. */
export function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: "string" },
        check: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const { values } = parsed;
  if (values.config === "") throw new UsageError('Option "--config" needs a path');
  return {
    config: values.config ?? DEFAULT_CONFIG,
    check: values.check ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
