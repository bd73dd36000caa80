/**
 * Strict reading of Lua tables that carry options, fields or handlers:
 * every key must be known and every value of the declared type, so a typo
 * (`read_onyl`) is an error naming the key instead of a silent default
 * (myproxy's `OptionsTable`).
 * @module
 */

import { lauxlib, lua, type LuaState } from "./fengari.ts";
import { raise } from "./errors.ts";
import { latin1, typeNameAt } from "./strings.ts";

/** Lua types a field may be declared with. */
export type FieldType = "string" | "boolean" | "function";

/** What a field of each type is read as: strings as copied bytes, functions as registry refs. */
export type FieldValue<T extends FieldType> = T extends "string" ? Uint8Array
  : T extends "boolean" ? boolean
  : number;

/** The declared keys of a table and how messages name them. */
export interface TableSpec<F extends Record<string, FieldType>> {
  /** Names the table in messages: `client:connect() options`, `handshake_response`. */
  readonly what: string;
  /** Names a key in messages. */
  readonly noun: "option" | "field" | "handler";
  readonly fields: F;
}

/** The values read from a table; absent and nil keys are missing. */
export type TableValues<F extends Record<string, FieldType>> = {
  -readonly [K in keyof F]?: FieldValue<F[K]>;
};

const LUA_TYPE_OF: Record<FieldType, number> = {
  string: lua.LUA_TSTRING,
  boolean: lua.LUA_TBOOLEAN,
  function: lua.LUA_TFUNCTION,
};

/** The message for a value of the wrong type, in the codebase's wording. */
export function wrongTypeMessage(
  noun: string,
  what: string,
  key: string,
  expected: string,
  got: string,
): string {
  return noun === "option"
    ? `Cannot apply option "${key}": expected ${expected}, got ${got}`
    : `Invalid ${noun} "${key}" in ${what}: expected ${expected}, got ${got}`;
}

/**
 * Reads the table at `idx` according to `spec`, raising a Lua error for a
 * non-string key, an unknown key or a value of the wrong type. Strings are
 * Fengari's own (read-only) arrays; function values are stored in the
 * registry and the caller owns those references.
 */
export function readStrictTable<F extends Record<string, FieldType>>(
  L: LuaState,
  idx: number,
  spec: TableSpec<F>,
): TableValues<F> {
  const table = lua.lua_absindex(L, idx);
  const values: Record<string, unknown> = {};
  lua.lua_pushnil(L);
  while (lua.lua_next(L, table) !== 0) {
    if (lua.lua_type(L, -2) !== lua.LUA_TSTRING) {
      raise(L, `Invalid key in ${spec.what}: expected string, got ${typeNameAt(L, -2)}`);
    }
    const key = latin1(lua.lua_tolstring(L, -2)!);
    const type = Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined;
    if (type === undefined) raise(L, `Unknown ${spec.noun} "${key}" in ${spec.what}`);
    if (lua.lua_type(L, -1) !== LUA_TYPE_OF[type]) {
      raise(L, wrongTypeMessage(spec.noun, spec.what, key, type, typeNameAt(L, -1)));
    }
    switch (type) {
      case "string":
        values[key] = lua.lua_tolstring(L, -1)!;
        break;
      case "boolean":
        values[key] = lua.lua_toboolean(L, -1);
        break;
      case "function":
        lua.lua_pushvalue(L, -1);
        values[key] = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
        break;
    }
    lua.lua_pop(L, 1);
  }
  return values as TableValues<F>;
}

/**
 * Checks that the argument at `idx` is a table (or, when `optional`, nil or
 * absent). Returns false for an absent optional table.
 */
export function checkTableArgument(
  L: LuaState,
  idx: number,
  what: string,
  optional: boolean,
): boolean {
  const type = lua.lua_type(L, idx);
  if (type === lua.LUA_TTABLE) return true;
  if (optional && (type === lua.LUA_TNIL || type === lua.LUA_TNONE)) return false;
  return raise(L, `Invalid ${what}: expected table, got ${typeNameAt(L, idx)}`);
}
