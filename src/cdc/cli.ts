/**
 * The CDC command-line tool: `deno task cdc -- --help`.
 * Exit statuses are listed in `cli/args.ts` (`USAGE`).
 * @module
 */

import { main } from "./cli/run.ts";

if (import.meta.main) Deno.exitCode = await main(Deno.args);
