/**
 * Runs the proxy process: configuration, listeners, signals, shutdown.
 * @module
 */

import { ConfigError, loadConfig, type LoadedConfig } from "../lua/config.ts";
import { type Listener, ListenError, openListeners } from "../net/listener.ts";
import { formatAddress } from "../net/address.ts";
import { describePermissionError, isPermissionError } from "../net/permission.ts";
import { ProxyServer } from "../proxy/server.ts";
import { log } from "../log.ts";
import type { Options } from "./args.ts";

/** Startup failed because of the configuration or the environment (exit 78). */
export class StartupError extends Error {
  override name = "StartupError";
}

async function load(path: string): Promise<LoadedConfig> {
  try {
    return await loadConfig(path);
  } catch (error) {
    if (error instanceof ConfigError) throw new StartupError(error.message, { cause: error });
    if (isPermissionError(error)) {
      throw new StartupError(describePermissionError(error, `load "${path}"`), { cause: error });
    }
    throw error;
  }
}

function describe(address: LoadedConfig["listeners"][number]["address"]): string {
  return address === "systemd" ? "systemd sockets" : formatAddress(address);
}

/** Loads the config and serves until a termination signal; returns the exit status. */
export async function runProxy(options: Options): Promise<number> {
  const config = await load(options.config);
  if (options.check) {
    for (const { address } of config.listeners) console.log(`listen ${describe(address)}`);
    config.close();
    return 0;
  }
  const server = new ProxyServer();
  const listeners: Listener[] = [];
  try {
    for (const { address, policy } of config.listeners) {
      listeners.push(...await openListeners(address, server.acceptor(policy)));
    }
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close()));
    config.close();
    if (error instanceof ListenError) throw new StartupError(error.message, { cause: error });
    throw error;
  }
  for (const listener of listeners) log("info", `Listening on ${listener.description}`);

  // config.reload() coalesces: a SIGHUP during a reload queues exactly one more.
  const onHangup = () => {
    log("info", "SIGHUP: calling reload()");
    config.reload().catch((error) => log("error", `reload() failed: ${error.message}`));
  };
  Deno.addSignalListener("SIGHUP", onHangup);

  await new Promise<void>((resolve) => {
    const stop = (signal: Deno.Signal) => {
      log("info", `${signal}: shutting down`);
      Deno.removeSignalListener("SIGTERM", onTerm);
      Deno.removeSignalListener("SIGINT", onInt);
      resolve();
    };
    const onTerm = () => stop("SIGTERM");
    const onInt = () => stop("SIGINT");
    Deno.addSignalListener("SIGTERM", onTerm);
    Deno.addSignalListener("SIGINT", onInt);
  });
  Deno.removeSignalListener("SIGHUP", onHangup);
  await Promise.all(listeners.map((l) => l.close()));
  server.closeAll();
  config.close();
  return 0;
}
