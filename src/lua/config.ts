/**
 * Loads `config.lua`: creates the Lua state, runs the script in a coroutine
 * (so `mysql_resolve()` and `sleep()` may suspend at startup), collects the
 * `mysql_listen()` calls and ends the setup phase.
 * @module
 */

import type { SocketAddress } from "../net/address.ts";
import type { SessionPolicy } from "../proxy/policy.ts";
import { lauxlib, lua } from "./fengari.ts";
import { errorObjectText, LuaError } from "./errors.ts";
import { type HostServices, LuaHost } from "./host.ts";
import { describeHostError } from "../net/permission.ts";
import { LuaSessionPolicy } from "./policy.ts";
import { SetupPhase } from "./setup_phase.ts";
import { luaConst, typeNameAt } from "./strings.ts";
import { openActions } from "./api/action.ts";
import { openAddress } from "./api/address.ts";
import { ClientRegistry } from "./api/client.ts";
import { createClientMethods } from "./api/client_methods.ts";
import { type ListenRequest, openMysqlListen } from "./api/mysql_listen.ts";
import { openSleep } from "./api/sleep.ts";

export type { HostServices } from "./host.ts";

/** The configuration cannot be used; the message names file and line. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** One `mysql_listen()` of the configuration. */
export interface ListenerConfig {
  readonly address: SocketAddress | "systemd";
  readonly policy: SessionPolicy;
}

/** A configuration that ran successfully. */
export interface LoadedConfig {
  readonly listeners: readonly ListenerConfig[];
  /** The global `populate_io_buffers` (false when unset). */
  readonly populateIoBuffers: boolean;
  /** Whether the script defines a global function `reload`. */
  readonly hasReload: boolean;
  /**
   * Calls the global `reload()` in a coroutine (SIGHUP); a no-op without
   * one. A call while a reload runs queues exactly one more run, which the
   * returned promise waits for. Rejects with {@link LuaError}.
   */
  reload(): Promise<void>;
  /** Stops suspended coroutines; policies then throw PolicyError. */
  close(): void;
}

/** Removes a `#!` first line (keeping the line count) as `luaL_loadfile` does. */
function skipShebang(source: Uint8Array): Uint8Array {
  let start = 0;
  if (source[0] === 0xef && source[1] === 0xbb && source[2] === 0xbf) start = 3; // UTF-8 BOM
  if (source[start] !== 0x23 /* # */) return source.subarray(start);
  const newline = source.indexOf(0x0a, start);
  return newline < 0 ? new Uint8Array() : source.subarray(newline);
}

/**
 * Lua messages start with `file:line:` (a long file name shortened to
 * `...tail`); others, such as non-string error objects, get the file.
 */
function namingFile(message: string, path: string): string {
  return message.startsWith(path) || /^\.\.\.[^\n]*?:\d+: /.test(message)
    ? message
    : `${path}: ${message}`;
}

async function readSource(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw new ConfigError(`Cannot read "${path}": ${describeHostError(error)}`, { cause: error });
  }
}

/** Calls the global `name` in a new coroutine, if it is a function. */
async function callGlobal(host: LuaHost, name: Uint8Array): Promise<void> {
  const { L, runner } = host;
  if (lua.lua_getglobal(L, name) !== lua.LUA_TFUNCTION) {
    lua.lua_pop(L, 1);
    return;
  }
  const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  const task = runner.start(ref);
  try {
    const n = runner.execute(task, 0);
    if (typeof n !== "number") await n;
  } finally {
    runner.finish(task);
    lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref);
  }
}

function makeReload(host: LuaHost): () => Promise<void> {
  const RELOAD = luaConst("reload");
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const run = (): Promise<void> => {
    running = callGlobal(host, RELOAD).finally(() => {
      running = null;
    });
    return running;
  };
  return () => {
    if (host.closed) return Promise.reject(new LuaError("Lua state closed"));
    if (running === null) return run();
    queued ??= running.catch(() => {}).then(() => {
      queued = null;
      return run();
    });
    return queued;
  };
}

/**
 * Loads and runs the configuration at `path`. Throws {@link ConfigError}
 * for unreadable files, syntax and run-time errors (`path:line: message`),
 * a configuration without `mysql_listen()`, and invalid globals.
 */
export async function loadConfig(path: string, services?: HostServices): Promise<LoadedConfig> {
  const source = skipShebang(await readSource(path));
  const host = new LuaHost(services);
  try {
    const { L, runner } = host;
    const setup = new SetupPhase();
    const requests: ListenRequest[] = [];
    const clients = new ClientRegistry(L, createClientMethods(openActions(L)));
    openAddress(host);
    openSleep(L, runner);
    openMysqlListen(L, setup, (request) => requests.push(request));

    const chunkName = luaConst("@" + path);
    if (lauxlib.luaL_loadbufferx(L, source, null, chunkName, luaConst("t")) !== lua.LUA_OK) {
      throw new ConfigError(namingFile(errorObjectText(L, -1), path));
    }
    const chunk = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    const task = runner.start(chunk);
    try {
      const n = runner.execute(task, 0);
      if (typeof n !== "number") await n;
    } catch (error) {
      if (error instanceof LuaError) {
        throw new ConfigError(namingFile(error.message, path), { cause: error });
      }
      throw error;
    } finally {
      runner.finish(task);
      lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, chunk);
    }
    setup.end(L);

    if (requests.length === 0) throw new ConfigError(`No mysql_listen() in "${path}"`);
    lua.lua_getglobal(L, luaConst("populate_io_buffers"));
    const populateType = lua.lua_type(L, -1);
    if (populateType !== lua.LUA_TNIL && populateType !== lua.LUA_TBOOLEAN) {
      throw new ConfigError(
        `Invalid populate_io_buffers in "${path}": expected boolean, got ${typeNameAt(L, -1)}`,
      );
    }
    const populateIoBuffers = lua.lua_toboolean(L, -1);
    lua.lua_pop(L, 1);
    const hasReload = lua.lua_getglobal(L, luaConst("reload")) === lua.LUA_TFUNCTION;
    lua.lua_pop(L, 1);

    return {
      listeners: requests.map(({ address, handlers }) => ({
        address,
        policy: new LuaSessionPolicy(host, clients, handlers),
      })),
      populateIoBuffers,
      hasReload,
      reload: makeReload(host),
      close: () => host.close(),
    };
  } catch (error) {
    host.close();
    throw error;
  }
}
