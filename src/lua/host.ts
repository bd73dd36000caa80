/**
 * One Lua state with its coroutine runner and the services its Lua API
 * uses: the context every `api/*.ts` module is opened with.
 * @module
 */

import { log as defaultLog, type LogLevel } from "../log.ts";
import { resolveAddress as defaultResolve, type SocketAddress } from "../net/address.ts";
import type { LuaState } from "./fengari.ts";
import { LuaRunner } from "./runner.ts";
import { createLuaState } from "./vm.ts";

/**
 * What the embedding program lends the Lua API. Every member is optional
 * and has a default; the interface grows with the API (clusters, control
 * channels, metrics).
 */
export interface HostServices {
  /** Resolves `mysql_resolve()` arguments; default: `resolveAddress` (getaddrinfo). */
  readonly resolveAddress?: (text: string) => Promise<SocketAddress>;
  /** Receives `print()` output; default: `log()` of src/log.ts. */
  readonly log?: (level: LogLevel, message: string, prefix?: string) => void;
}

/** A Lua state, its runner and services. */
export class LuaHost {
  readonly L: LuaState;
  readonly runner: LuaRunner;
  readonly resolveAddress: (text: string) => Promise<SocketAddress>;
  readonly log: (level: LogLevel, message: string, prefix?: string) => void;
  #closed = false;

  constructor(services: HostServices = {}) {
    this.resolveAddress = services.resolveAddress ?? defaultResolve;
    this.log = services.log ?? defaultLog;
    // print() inside a client callback logs with that client's prefix.
    this.L = createLuaState((thread, text) => {
      this.log("info", text, this.runner.taskOf(thread)?.logContext?.logPrefix);
    });
    this.runner = new LuaRunner(this.L);
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops suspended coroutines and makes further calls fail. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.runner.close();
  }
}
