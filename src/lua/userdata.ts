/**
 * Full userdata carrying a JS object, with protected metatables kept as
 * registry references (no `luaL_checkudata` name lookups on the hot path).
 * @module
 */

import { lauxlib, lua, type LuaJsFunction, type LuaState, type UserdataBox } from "./fengari.ts";
import { luaConst } from "./strings.ts";

/** The field of Fengari's userdata box that holds our object. */
const SLOT = "myproxyValue";

/** Metamethods and the type name shown by `tostring` and in errors. */
export interface UserdataType {
  /** Shown as `__name`, and as `getmetatable(x)` (the metatable is protected). */
  readonly name: string;
  readonly metamethods: Readonly<Record<string, LuaJsFunction>>;
}

/** Creates the metatable for `type` and returns its registry reference. */
export function registerUserdataType(L: LuaState, type: UserdataType): number {
  const names = Object.keys(type.metamethods);
  lua.lua_createtable(L, 0, names.length + 2);
  for (const name of names) {
    lua.lua_pushcfunction(L, type.metamethods[name]);
    lua.lua_setfield(L, -2, luaConst(name));
  }
  lua.lua_pushstring(L, type.name);
  lua.lua_setfield(L, -2, luaConst("__name"));
  lua.lua_pushstring(L, type.name);
  lua.lua_setfield(L, -2, luaConst("__metatable"));
  return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
}

/** Pushes a new userdata holding `value`, with the metatable at `metatableRef`. */
export function pushUserdata(L: LuaState, value: object, metatableRef: number): void {
  const box: UserdataBox = lua.lua_newuserdata(L, 0);
  box[SLOT] = value;
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, metatableRef);
  lua.lua_setmetatable(L, -2);
}

/** The JS object held by the userdata at `idx`, or undefined for anything else. */
export function userdataValue(L: LuaState, idx: number): unknown {
  if (lua.lua_type(L, idx) !== lua.LUA_TUSERDATA) return undefined;
  return (lua.lua_touserdata(L, idx) as UserdataBox)[SLOT];
}
