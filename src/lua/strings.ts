/**
 * Conversions between Lua strings (bytes) and JS strings, and the names of
 * Lua types for messages. Lua strings stay `Uint8Array`s wherever they
 * travel on as data (user names, passwords); only names and messages
 * become JS strings.
 *
 * A Lua string handed to the proxy (verdict fields, `session.account`) is
 * the very array Fengari keeps for that string, not a copy (a copy costs
 * ~0.3 µs per string here): Lua never changes it, and the proxy must not
 * either.
 * @module
 */

import { lauxlib, type LuaState, type LuaString, to_jsstring, to_luastring } from "./fengari.ts";

/** A constant Lua string, converted once (Fengari caches `to_luastring(s, true)`). */
export function luaConst(text: string): LuaString {
  return to_luastring(text, true);
}

const fromCharCodes = String.fromCharCode.apply as (thisArg: null, codes: Uint8Array) => string;

/**
 * A short byte string as latin1 JS text: the fastest way to compare a Lua
 * key with ASCII names (`"user"`, `"on_connect"`). Not for display.
 */
export function latin1(bytes: Uint8Array): string {
  if (bytes.length <= 4096) return fromCharCodes.call(String.fromCharCode, null, bytes);
  let text = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    text += fromCharCodes.call(String.fromCharCode, null, bytes.subarray(i, i + 4096));
  }
  return text;
}

/** Bytes as text for messages: UTF-8, invalid sequences replaced. */
export function displayText(bytes: Uint8Array): string {
  return to_jsstring(bytes, undefined, undefined, true);
}

/** The Lua type name of the value at `idx` (`"nil"`, `"string"`, ...). */
export function typeNameAt(L: LuaState, idx: number): string {
  return latin1(lauxlib.luaL_typename(L, idx));
}
