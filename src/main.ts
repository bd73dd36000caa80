/**
 * myproxy entry point: parse the command line, run config.lua, listen, and
 * proxy until SIGTERM/SIGINT. Exit status 64 for usage errors, 78 for
 * configuration and Lua errors (sysexits.h EX_USAGE, EX_CONFIG).
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };
import { parseOptions, USAGE, UsageError } from "./cli/args.ts";
import { runProxy, StartupError } from "./cli/run.ts";

const EX_USAGE = 64;
const EX_CONFIG = 78;

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`myproxy: ${error.message}\n\n${USAGE}`);
    return EX_USAGE;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.version) {
    console.log(`myproxy ${denoJson.version}`);
    return 0;
  }
  try {
    return await runProxy(options);
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    console.error(`myproxy: ${error.message}`);
    return EX_CONFIG;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
