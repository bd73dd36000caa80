/**
 * Types for the part of Fengari 0.1.5 this host uses (the package ships
 * none). Names and semantics follow the Lua 5.3 C API; differences:
 * strings are `Uint8Array`s, integers are 32-bit, `lua_error`/`luaL_error`
 * throw, userdata `data` is a plain JS object we may put fields on.
 * @module
 */

/** A Lua thread (`lua_State *`). Opaque. */
export interface LuaState {
  readonly __luaState: never;
}

/** A Lua string: bytes. */
export type LuaString = Uint8Array;

/** A JS function callable from Lua (`lua_CFunction`). Returns the result count. */
export type LuaJsFunction = (L: LuaState) => number;

/** A continuation (`lua_KFunction`). */
export type LuaKFunction<C> = (L: LuaState, status: number, ctx: C) => number;

/** The storage Fengari hands out for a full userdata. */
export type UserdataBox = Record<string, unknown>;

/** Activation record filled by `lua_getinfo`. */
export interface LuaDebug {
  short_src: LuaString | null;
  linedefined: number;
  currentline: number;
}

/** `lua.h`. */
export interface LuaApi {
  readonly lua_Debug: new () => LuaDebug;
  lua_getinfo(L: LuaState, what: LuaString | string, ar: LuaDebug): number;
  readonly LUA_OK: number;
  readonly LUA_YIELD: number;
  readonly LUA_ERRRUN: number;
  readonly LUA_ERRSYNTAX: number;
  readonly LUA_MULTRET: number;
  readonly LUA_REGISTRYINDEX: number;
  readonly LUA_RIDX_GLOBALS: number;
  readonly LUA_TNONE: number;
  readonly LUA_TNIL: number;
  readonly LUA_TBOOLEAN: number;
  readonly LUA_TLIGHTUSERDATA: number;
  readonly LUA_TNUMBER: number;
  readonly LUA_TSTRING: number;
  readonly LUA_TTABLE: number;
  readonly LUA_TFUNCTION: number;
  readonly LUA_TUSERDATA: number;
  readonly LUA_TTHREAD: number;

  lua_upvalueindex(i: number): number;
  lua_absindex(L: LuaState, idx: number): number;
  lua_atnativeerror(L: LuaState, fn: LuaJsFunction): LuaJsFunction | null;
  lua_call(L: LuaState, nargs: number, nresults: number): void;
  lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
  lua_checkstack(L: LuaState, n: number): boolean;
  lua_close(L: LuaState): void;
  lua_createtable(L: LuaState, narr: number, nrec: number): void;
  lua_error(L: LuaState): never;
  lua_getfield(L: LuaState, idx: number, k: LuaString | string): number;
  lua_getglobal(L: LuaState, name: LuaString | string): number;
  lua_getmetatable(L: LuaState, idx: number): boolean;
  lua_gettop(L: LuaState): number;
  lua_insert(L: LuaState, idx: number): void;
  lua_isyieldable(L: LuaState): boolean;
  lua_load(
    L: LuaState,
    reader: (L: LuaState, data: unknown) => LuaString | null,
    data: unknown,
    chunkname: LuaString,
    mode: LuaString | null,
  ): number;
  lua_newthread(L: LuaState): LuaState;
  lua_newuserdata(L: LuaState, size: number): UserdataBox;
  lua_next(L: LuaState, idx: number): number;
  lua_pop(L: LuaState, n: number): void;
  lua_pushboolean(L: LuaState, b: boolean): void;
  lua_pushcclosure(L: LuaState, fn: LuaJsFunction, n: number): void;
  lua_pushcfunction(L: LuaState, fn: LuaJsFunction): void;
  lua_pushinteger(L: LuaState, n: number): void;
  lua_pushliteral(L: LuaState, s: string): void;
  lua_pushnil(L: LuaState): void;
  lua_pushnumber(L: LuaState, n: number): void;
  lua_pushstring(L: LuaState, s: LuaString | string): LuaString;
  lua_pushvalue(L: LuaState, idx: number): void;
  lua_rawequal(L: LuaState, a: number, b: number): boolean | number;
  lua_rawget(L: LuaState, idx: number): number;
  lua_rawgeti(L: LuaState, idx: number, n: number): number;
  lua_rawlen(L: LuaState, idx: number): number;
  lua_rawset(L: LuaState, idx: number): void;
  lua_rawseti(L: LuaState, idx: number, n: number): void;
  lua_remove(L: LuaState, idx: number): void;
  lua_replace(L: LuaState, idx: number): void;
  lua_resume(L: LuaState, from: LuaState | null, nargs: number): number;
  lua_setfield(L: LuaState, idx: number, k: LuaString | string): void;
  lua_setglobal(L: LuaState, name: LuaString | string): void;
  lua_setmetatable(L: LuaState, idx: number): void;
  lua_settop(L: LuaState, idx: number): void;
  lua_status(L: LuaState): number;
  lua_toboolean(L: LuaState, idx: number): boolean;
  lua_tointegerx(L: LuaState, idx: number): number | false;
  lua_tolstring(L: LuaState, idx: number): LuaString | null;
  lua_tonumberx(L: LuaState, idx: number): number | false;
  lua_tothread(L: LuaState, idx: number): LuaState | null;
  lua_touserdata(L: LuaState, idx: number): unknown;
  lua_type(L: LuaState, idx: number): number;
  lua_typename(L: LuaState, type: number): LuaString;
  lua_xmove(from: LuaState, to: LuaState, n: number): void;
  lua_yieldk<C>(L: LuaState, nresults: number, ctx: C, k: LuaKFunction<C> | null): never;
}

/** `lauxlib.h`. */
export interface LauxlibApi {
  readonly LUA_NOREF: number;
  readonly LUA_REFNIL: number;
  luaL_argerror(L: LuaState, arg: number, extramsg: LuaString | string): never;
  luaL_checkany(L: LuaState, arg: number): void;
  luaL_checklstring(L: LuaState, arg: number): LuaString;
  luaL_checknumber(L: LuaState, arg: number): number;
  luaL_checktype(L: LuaState, arg: number, type: number): void;
  luaL_error(L: LuaState, fmt: LuaString | string, ...args: unknown[]): never;
  luaL_loadbufferx(
    L: LuaState,
    buff: LuaString,
    size: number | null,
    name: LuaString,
    mode: LuaString | null,
  ): number;
  luaL_newstate(): LuaState;
  luaL_optnumber(L: LuaState, arg: number, def: number): number;
  luaL_ref(L: LuaState, t: number): number;
  luaL_requiref(L: LuaState, modname: LuaString, openf: LuaJsFunction, glb: boolean): void;
  luaL_tolstring(L: LuaState, idx: number): LuaString;
  luaL_traceback(L: LuaState, L1: LuaState, msg: LuaString | null, level: number): void;
  luaL_typename(L: LuaState, idx: number): LuaString;
  luaL_unref(L: LuaState, t: number, ref: number): void;
  luaL_where(L: LuaState, level: number): void;
}

/** `lualib.h`: the standard library openers. */
export interface LualibApi {
  luaopen_base: LuaJsFunction;
  luaopen_coroutine: LuaJsFunction;
  luaopen_math: LuaJsFunction;
  luaopen_os: LuaJsFunction;
  luaopen_string: LuaJsFunction;
  luaopen_table: LuaJsFunction;
  luaopen_utf8: LuaJsFunction;
}

/** The `fengari` package's main export. */
export interface Fengari {
  readonly lua: LuaApi;
  readonly lauxlib: LauxlibApi;
  readonly lualib: LualibApi;
  to_luastring(text: string, cache?: boolean): LuaString;
  to_jsstring(bytes: LuaString, from?: number, to?: number, replacementChar?: boolean): string;
  luastring_eq(a: LuaString, b: LuaString): boolean;
}
