/**
 * Creates the Lua state a configuration runs in: only the safe standard
 * libraries, `print` routed to the log, `load` limited to text chunks, a
 * restricted `os`, and JS exceptions in host functions turned into Lua errors.
 *
 * Loaded: base (without `dofile` and `loadfile`), `coroutine`, `string`,
 * `table`, `math`, `utf8`, and `os` with `time`, `date`, `difftime`, `clock`
 * (process CPU seconds) and `getenv` (needs `--allow-env` for the name).
 * Not loaded: `io`, `package`/`require`, `debug`, Fengari's `fengari`
 * library; fengari-interop's `js` library is never used.
 * @module
 */

import {
  lauxlib,
  lua,
  type LuaJsFunction,
  lualib,
  type LuaState,
  to_luastring,
} from "./fengari.ts";
import { displayText, luaConst } from "./strings.ts";
import { describeHostError, permissionAdvice } from "../net/permission.ts";
import { raise } from "./errors.ts";
import process from "node:process";

/** Receives the text of one `print()` call, from the thread that called it. */
export type PrintSink = (L: LuaState, text: string) => void;

const LIBRARIES: readonly [string, LuaJsFunction][] = [
  ["_G", lualib.luaopen_base],
  ["coroutine", lualib.luaopen_coroutine],
  ["string", lualib.luaopen_string],
  ["table", lualib.luaopen_table],
  ["math", lualib.luaopen_math],
  ["utf8", lualib.luaopen_utf8],
];

/** `os` functions kept from Fengari's implementation. */
const OS_KEPT = ["date", "difftime", "time"];

/** Creates a Lua state with the safe libraries; `print` goes to `print`. */
export function createLuaState(print: PrintSink): LuaState {
  const L = lauxlib.luaL_newstate();
  lua.lua_atnativeerror(L, nativeErrorToLua);
  for (const [name, open] of LIBRARIES) {
    lauxlib.luaL_requiref(L, to_luastring(name), open, true);
    lua.lua_pop(L, 1);
  }
  lua.lua_pushnil(L);
  lua.lua_setglobal(L, luaConst("dofile"));
  lua.lua_pushnil(L);
  lua.lua_setglobal(L, luaConst("loadfile"));
  lua.lua_getglobal(L, luaConst("load"));
  lua.lua_pushcclosure(L, textOnlyLoad, 1);
  lua.lua_setglobal(L, luaConst("load"));
  lua.lua_pushcfunction(L, (L) => luaPrint(L, print));
  lua.lua_setglobal(L, luaConst("print"));
  openRestrictedOs(L);
  return L;
}

/** `load(chunk [, chunkname [, mode [, env]]])` with mode forced to text. */
function textOnlyLoad(L: LuaState): number {
  const nargs = lua.lua_gettop(L);
  if (nargs >= 3 && lua.lua_type(L, 3) !== lua.LUA_TNIL) {
    const mode = lua.lua_tolstring(L, 3);
    if (mode === null || mode.length !== 1 || mode[0] !== 0x74 /* t */) {
      lua.lua_pushnil(L);
      lua.lua_pushliteral(L, 'load: only text chunks (mode "t") are allowed');
      return 2;
    }
  }
  if (nargs < 3) lua.lua_settop(L, 3);
  lua.lua_pushliteral(L, "t");
  lua.lua_replace(L, 3);
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
  lua.lua_insert(L, 1);
  lua.lua_call(L, lua.lua_gettop(L) - 1, lua.LUA_MULTRET);
  return lua.lua_gettop(L);
}

function luaPrint(L: LuaState, sink: PrintSink): number {
  const n = lua.lua_gettop(L);
  let text = "";
  for (let i = 1; i <= n; i++) {
    if (i > 1) text += "\t";
    text += displayText(lauxlib.luaL_tolstring(L, i));
    lua.lua_pop(L, 1);
  }
  sink(L, text);
  return 0;
}

function openRestrictedOs(L: LuaState): void {
  lualib.luaopen_os(L);
  lua.lua_createtable(L, 0, OS_KEPT.length + 2);
  for (const name of OS_KEPT) {
    lua.lua_getfield(L, -2, luaConst(name));
    lua.lua_setfield(L, -2, luaConst(name));
  }
  lua.lua_pushcfunction(L, osClock);
  lua.lua_setfield(L, -2, luaConst("clock"));
  lua.lua_pushcfunction(L, osGetenv);
  lua.lua_setfield(L, -2, luaConst("getenv"));
  lua.lua_setglobal(L, luaConst("os"));
  lua.lua_pop(L, 1);
}

/** `os.clock()`: CPU seconds used by the process, as in C Lua. */
function osClock(L: LuaState): number {
  const { user, system } = process.cpuUsage();
  lua.lua_pushnumber(L, (user + system) / 1e6);
  return 1;
}

/** `os.getenv(name)`: the value or nil; a Deno refusal becomes a Lua error with advice. */
function osGetenv(L: LuaState): number {
  const name = displayText(lauxlib.luaL_checklstring(L, 1));
  let value: string | undefined;
  try {
    value = Deno.env.get(name);
  } catch (error) {
    return raise(L, describeHostError(error));
  }
  if (value === undefined) lua.lua_pushnil(L);
  else lua.lua_pushstring(L, value);
  return 1;
}

/**
 * Called by Fengari when a host function throws a JS exception instead of a
 * Lua error: the exception becomes a Lua error message (with permission
 * advice for Deno refusals), so Lua code can catch it and the process lives.
 */
function nativeErrorToLua(L: LuaState): number {
  const error = lua.lua_touserdata(L, 1);
  const text = permissionAdvice(error) ??
    (error instanceof Error ? `Internal error: ${error.name}: ${error.message}` : String(error));
  lua.lua_pushstring(L, text);
  return 1;
}
