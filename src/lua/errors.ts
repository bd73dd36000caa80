/**
 * Errors of the Lua layer and the helpers that move errors across the
 * Lua/JS boundary.
 * @module
 */

import { lauxlib, lua, type LuaState } from "./fengari.ts";
import { displayText } from "./strings.ts";

/** A Lua error that reached the host; `message` is `file:line: text`. */
export class LuaError extends Error {
  override name = "LuaError";
  /** Lua stack traceback at the point of failure, when known. */
  readonly luaTraceback: string | undefined;

  constructor(message: string, options?: ErrorOptions & { luaTraceback?: string }) {
    super(message, options);
    this.luaTraceback = options?.luaTraceback;
  }
}

/**
 * Raises a Lua error in `L` carrying `message`, prefixed with the position
 * of the Lua code that called the running host function (`file:line: `),
 * like `luaL_error` but without format directives.
 */
export function raise(L: LuaState, message: string): never {
  lauxlib.luaL_where(L, 1);
  const where = lua.lua_tolstring(L, -1);
  lua.lua_pop(L, 1);
  const prefix = where ? displayText(where) : "";
  lua.lua_pushstring(L, prefix + message);
  return lua.lua_error(L);
}

/** The text of the error object at `idx` (strings and numbers; others by type). */
export function errorObjectText(L: LuaState, idx: number): string {
  const type = lua.lua_type(L, idx);
  if (type === lua.LUA_TSTRING || type === lua.LUA_TNUMBER) {
    return displayText(lua.lua_tolstring(L, idx) ?? new Uint8Array());
  }
  return `(error object is a ${displayText(lauxlib.luaL_typename(L, idx))} value)`;
}

/**
 * A failed host operation whose message is already written for the Lua
 * caller; async host functions reject with it to bypass the generic
 * description.
 */
export class HostFunctionError extends Error {
  override name = "HostFunctionError";
}
