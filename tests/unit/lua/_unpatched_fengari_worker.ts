/**
 * Runs in a Worker, i.e. a fresh module graph where `src/lua/fengari.ts`
 * never ran: evaluates the Lua snippet it is sent with the *unpatched*
 * Fengari package and posts back the results as strings. Used only to show
 * that the hash regression test would fail without the patch.
 * @module
 */

// deno-lint-ignore-file no-explicit-any
import fengariModule from "fengari";

const { lua, lauxlib, lualib, to_luastring, to_jsstring } = fengariModule as any;

/** The worker scope (this file is also type-checked as a plain module). */
const scope = self as unknown as {
  onmessage: (event: MessageEvent<string>) => void;
  postMessage(message: unknown): void;
  close(): void;
};

scope.onmessage = (event) => {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const status = lauxlib.luaL_dostring(L, to_luastring(event.data));
  const results: string[] = [];
  for (let i = 1; i <= lua.lua_gettop(L); i++) {
    results.push(to_jsstring(lauxlib.luaL_tolstring(L, i)));
    lua.lua_pop(L, 1);
  }
  scope.postMessage({ status, results });
  scope.close();
};
