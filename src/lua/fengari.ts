/**
 * The only module that imports Fengari. It repairs Fengari 0.1.5's string
 * hash before any other Fengari module is evaluated, then re-exports the
 * library with the types this host relies on (see `fengari_types.ts`).
 *
 * The bug (platform.md, "Fengari 0.1.5"): `luaS_hash` in `src/lstring.js`
 * writes each byte as `toString(16)` without zero padding, so `"\x01\x23"`
 * and `"\x12\x03"` both hash to `"|123"`. Fengari uses that hash as the table
 * key of a string, as the compiler's constant-dedup key (so such literals are
 * merged: `"\x01\x23" == "\x12\x03"` is true) and for `<` on strings (so
 * `"\x0f" < "\x10"` is false). The replacement renders the bytes as a latin1
 * JS string: one UTF-16 code unit per byte, hence injective, ordered like
 * the bytes, and 2–10× faster than the original.
 *
 * Why patching at run time works: Fengari is CommonJS, and its modules
 * destructure `luaS_hash`/`luaS_hashlongstr` from `require('./lstring.js')`
 * when they are first evaluated. Deno evaluates CommonJS through one module
 * cache, so the `module.exports` object we get from importing
 * `fengari/src/lstring.js` is the one `require` hands to `ltable.js`,
 * `llex.js` and `lvm.js`. We replace its two functions and only then load the
 * rest of Fengari with a dynamic import. {@link assertHashPatched} checks the
 * effect through the public API, so a Deno change that breaks the sharing
 * stops the process at startup instead of silently corrupting tables.
 *
 * A second trap: Fengari's `luaconf.js` reads `process.env.FENGARICONF`
 * when it is loaded, which under `--allow-env=<list>` (the "start" task)
 * throws NotCapable and kills the process. Fengari is therefore loaded with
 * an empty `process.env` in place: FENGARICONF is never consulted.
 * @module
 */

import process from "node:process";
import type { Fengari, LuaState } from "./fengari_types.ts";

export type * from "./fengari_types.ts";

interface TStringLike {
  hash: string | null;
  realstring: Uint8Array;
}

interface LstringExports {
  luaS_hash(bytes: Uint8Array): string;
  luaS_hashlongstr(ts: TStringLike): string;
  luaS_bless(L: LuaState, bytes: Uint8Array): unknown;
  luaS_new(L: LuaState, bytes: Uint8Array): unknown;
}

/** Imports a Fengari module while `process.env` is empty (see the module doc). */
async function importWithoutEnv<T>(load: () => Promise<T>): Promise<T> {
  const env = process.env;
  process.env = {};
  try {
    return await load();
  } finally {
    process.env = env;
  }
}

const lstringModule = await importWithoutEnv(() => import("fengari/src/lstring.js"));
const lstring = (lstringModule.default ?? lstringModule) as unknown as LstringExports;

/** Fengari's original `luaS_hash`, kept only so tests can show the bug. */
export const unpatchedLuaSHash: (bytes: Uint8Array) => string = lstring.luaS_hash;

/** Bytes per `String.fromCharCode.apply` call: far below V8's argument limit. */
const CHUNK = 8192;

/**
 * The repaired hash: `"|"` followed by the bytes as latin1 characters. The
 * `"|"` prefix is kept because `ltable.js` prefixes light userdata keys with
 * `"*"`, `"#"` and `"?"` to keep them apart from strings.
 */
export function patchedLuaSHash(bytes: Uint8Array): string {
  const apply = String.fromCharCode.apply as (
    thisArg: null,
    codes: Uint8Array,
  ) => string;
  if (bytes.length <= CHUNK) return "|" + apply.call(String.fromCharCode, null, bytes);
  let text = "|";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    text += apply.call(String.fromCharCode, null, bytes.subarray(i, i + CHUNK));
  }
  return text;
}

function patchedLuaSHashLongStr(ts: TStringLike): string {
  return ts.hash ?? (ts.hash = patchedLuaSHash(ts.realstring));
}

/**
 * `luaS_new` copies with `Uint8Array.from`, which takes the iterator path:
 * ~1.4 µs per short string here against ~0.25 µs for the constructor. It
 * runs for every string a host function pushes, so it is replaced as well.
 */
function fastLuaSNew(L: LuaState, bytes: Uint8Array): unknown {
  return lstring.luaS_bless(L, new Uint8Array(bytes));
}

lstring.luaS_hash = patchedLuaSHash;
lstring.luaS_hashlongstr = patchedLuaSHashLongStr;
lstring.luaS_new = fastLuaSNew;

const fengariModule = await importWithoutEnv(() => import("fengari"));

/** The patched Fengari library. */
export const fengari: Fengari = (fengariModule.default ?? fengariModule) as unknown as Fengari;

/** Fengari's core API (`lua.h`). */
export const lua = fengari.lua;
/** Fengari's auxiliary library (`lauxlib.h`). */
export const lauxlib = fengari.lauxlib;
/** Fengari's standard library openers (`lualib.h`). */
export const lualib = fengari.lualib;
/** JS string → Lua string (UTF-8 bytes). Pass `true` to cache constants. */
export const to_luastring = fengari.to_luastring;
/** Lua string (UTF-8 bytes) → JS string; throws on invalid UTF-8. */
export const to_jsstring = fengari.to_jsstring;

/**
 * Checks through the public API that two strings whose unpatched hashes
 * collide are distinct table keys. Throws when the patch did not reach the
 * modules Fengari actually uses.
 */
export function assertHashPatched(): void {
  const L: LuaState = lauxlib.luaL_newstate();
  try {
    lua.lua_createtable(L, 0, 2);
    lua.lua_pushstring(L, Uint8Array.of(0x01, 0x23));
    lua.lua_pushinteger(L, 1);
    lua.lua_rawset(L, -3);
    lua.lua_pushstring(L, Uint8Array.of(0x12, 0x03));
    if (lua.lua_rawget(L, -2) !== lua.LUA_TNIL) {
      throw new Error(
        "Fengari string hash patch is not effective: binary table keys collide " +
          "(see src/lua/fengari.ts)",
      );
    }
  } finally {
    lua.lua_close(L);
  }
}

assertHashPatched();
