/**
 * Globals that exist only while the configuration runs (`mysql_listen`,
 * later `control_listen` and `prometheus_listen`): afterwards they are
 * removed from the globals, and a reference a script kept raises an error.
 * @module
 */

import { lua, type LuaJsFunction, type LuaState } from "./fengari.ts";
import { raise } from "./errors.ts";
import { luaConst } from "./strings.ts";

/** The configuration phase of one Lua state. */
export class SetupPhase {
  readonly #names: string[] = [];
  #open = true;

  /** True until {@link end}. */
  get open(): boolean {
    return this.#open;
  }

  /** Names defined with {@link define}. */
  get names(): readonly string[] {
    return this.#names;
  }

  /** Defines global `name` as `fn`, callable only during the setup phase. */
  define(L: LuaState, name: string, fn: LuaJsFunction): void {
    this.#names.push(name);
    lua.lua_pushcfunction(L, (L) => {
      if (!this.#open) return raise(L, `${name}() is only available while the configuration loads`);
      return fn(L);
    });
    lua.lua_setglobal(L, luaConst(name));
  }

  /** Ends the phase: removes the setup-only globals. */
  end(L: LuaState): void {
    this.#open = false;
    for (const name of this.#names) {
      lua.lua_pushnil(L);
      lua.lua_setglobal(L, luaConst(name));
    }
  }
}
