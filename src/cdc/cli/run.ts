/**
 * The CDC tool's run: password, client, stream to stdout, clean stop on
 * SIGINT/SIGTERM or a closed stdout, and an exit status per failure kind
 * (sysexits.h values, listed in `USAGE`).
 * @module
 */

import { log, type LogLevel, setLogLevel } from "../../log.ts";
import { CdcClient } from "../client.ts";
import {
  CdcArgumentError,
  CdcAuthenticationError,
  CdcConnectionError,
  CdcProtocolError,
  CdcRegistrationError,
  CdcRequestError,
  CdcStreamError,
  CdcTimeoutError,
} from "../errors.ts";
import type { CdcLogger } from "../logger.ts";
import { type CliOptions, parseCliArgs, PASSWORD_ENV, USAGE, UsageError } from "./args.ts";

/** sysexits.h exit statuses. */
export const EXIT = {
  OK: 0,
  USAGE: 64,
  NO_INPUT: 66,
  UNAVAILABLE: 69,
  SOFTWARE: 70,
  PROTOCOL: 76,
  NO_PERMISSION: 77,
} as const;

const encoder = new TextEncoder();

/** Logs to stderr; a closed stderr must not turn a clean stop into a crash. */
function say(level: LogLevel, message: string): void {
  try {
    log(level, message);
  } catch {
    // Nowhere left to report it.
  }
}

const stderrLogger: CdcLogger = {
  debug: (message) => say("debug", message),
  info: (message) => say("info", message),
  warn: (message) => say("warning", message),
  error: (message) => say("error", message),
};

/** A failure before streaming, with its exit status. */
class CliFailure extends Error {
  override name = "CliFailure";
  constructor(readonly status: number, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The exit status for an error that ended the stream. */
export function exitStatus(error: unknown): number {
  if (error instanceof CliFailure) return error.status;
  if (error instanceof UsageError || error instanceof CdcArgumentError) return EXIT.USAGE;
  if (error instanceof CdcRequestError) return EXIT.NO_INPUT;
  if (error instanceof CdcAuthenticationError || error instanceof CdcRegistrationError) {
    return EXIT.NO_PERMISSION;
  }
  if (error instanceof CdcProtocolError) return EXIT.PROTOCOL;
  if (
    error instanceof CdcConnectionError || error instanceof CdcTimeoutError ||
    error instanceof CdcStreamError
  ) {
    return EXIT.UNAVAILABLE;
  }
  return EXIT.SOFTWARE;
}

async function readPassword(options: CliOptions): Promise<string> {
  if (options.passwordFile !== null) {
    let text;
    try {
      text = await Deno.readTextFile(options.passwordFile);
    } catch (error) {
      throw new CliFailure(
        EXIT.NO_INPUT,
        `Cannot read password file "${options.passwordFile}": ${(error as Error).message}`,
        { cause: error },
      );
    }
    return text.replace(/\r?\n$/, "");
  }
  const fromEnv = Deno.env.get(PASSWORD_ENV);
  if (fromEnv === undefined) {
    throw new UsageError(`No password: use "--password-file FILE" or set ${PASSWORD_ENV}`);
  }
  return fromEnv;
}

async function writeAll(bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await Deno.stdout.write(bytes.subarray(written));
  }
}

/** Streams until stopped; returns the exit status. */
async function stream(options: CliOptions, client: CdcClient): Promise<number> {
  const stop = (signal: string) => () => {
    say("info", `${signal} received: stopping`);
    client.close();
  };
  const signals = [["SIGINT", stop("SIGINT")], ["SIGTERM", stop("SIGTERM")]] as const;
  for (const [signal, listener] of signals) Deno.addSignalListener(signal, listener);
  try {
    const events = client.requestData(options.database, options.table, {
      version: options.version ?? undefined,
      gtid: options.gtid ?? undefined,
      waitForTable: options.wait,
    });
    say("info", `Streaming ${options.database}.${options.table} from "${options.address}"`);
    for await (const event of events) {
      if (event.kind !== "schema" && event.kind !== "row") continue; // Logged by the client.
      try {
        await writeAll(encoder.encode(`${event.raw}\n`));
      } catch (error) {
        if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
        say("info", "Standard output closed: stopping");
        break;
      }
    }
    return EXIT.OK;
  } finally {
    for (const [signal, listener] of signals) Deno.removeSignalListener(signal, listener);
    await client.close();
  }
}

/** Runs the tool with `argv` (without the program name); returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const options = parseCliArgs(argv);
    if (options.help) {
      await writeAll(encoder.encode(USAGE));
      return EXIT.OK;
    }
    setLogLevel(options.logLevel);
    const client = new CdcClient({
      address: options.address,
      user: options.user,
      password: await readPassword(options),
      uuid: options.uuid ?? undefined,
      dialTimeout: options.dialTimeout,
      readTimeout: options.readTimeout,
      idleTimeout: options.idleTimeout,
      reconnect: options.reconnect,
      logger: stderrLogger,
    });
    return await stream(options, client);
  } catch (error) {
    const status = exitStatus(error);
    const message = error instanceof Error ? error.message : String(error);
    say("error", status === EXIT.USAGE ? `${message} (see --help)` : message);
    if (status === EXIT.SOFTWARE) console.error(error);
    return status;
  }
}
