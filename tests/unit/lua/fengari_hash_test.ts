/**
 * Regression tests for Fengari 0.1.5's `luaS_hash` bug: bytes rendered with
 * unpadded `toString(16)`, so `"\x01\x23"` and `"\x12\x03"` were one table
 * key, the compiler merged the two literals, and `"\x0f" < "\x10"` was false.
 */

import assert from "node:assert/strict";
import { lauxlib, lua, patchedLuaSHash, unpatchedLuaSHash } from "../../../src/lua/fengari.ts";
import { createLuaState } from "../../../src/lua/vm.ts";
import { luaConst } from "../../../src/lua/strings.ts";

/** Keys and literals that collide under the unpatched hash. */
const SNIPPET = String.raw`
  local t = {}
  t["\x01\x23"] = "first"
  t["\x12\x03"] = "second"
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return t["\x01\x23"], n, tostring("\x01\x23" == "\x12\x03"), tostring("\x0f" < "\x10"),
    #("\x01\x23" .. "")
`;

function runPatched(source: string): string[] {
  const L = createLuaState(() => {});
  assert.equal(lauxlib.luaL_loadbufferx(L, luaConst(source), null, luaConst("=t"), null), 0);
  lua.lua_call(L, 0, lua.LUA_MULTRET);
  const out: string[] = [];
  for (let i = 1; i <= lua.lua_gettop(L); i++) {
    out.push(new TextDecoder().decode(lauxlib.luaL_tolstring(L, i)));
    lua.lua_pop(L, 1);
  }
  return out;
}

function runUnpatched(source: string): Promise<{ status: number; results: string[] }> {
  const worker = new Worker(new URL("./_unpatched_fengari_worker.ts", import.meta.url), {
    type: "module",
  });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(event.message));
    };
    worker.postMessage(source);
  });
}

Deno.test("binary table keys whose unpadded hex hashes collide stay distinct (luaS_hash bug)", () => {
  assert.deepEqual(runPatched(SNIPPET), ["first", "2", "false", "true", "2"]);
});

Deno.test("the unpatched luaS_hash collides and misorders, the patched one does not", () => {
  const a = Uint8Array.of(0x01, 0x23);
  const b = Uint8Array.of(0x12, 0x03);
  assert.equal(unpatchedLuaSHash(a), unpatchedLuaSHash(b));
  assert.notEqual(patchedLuaSHash(a), patchedLuaSHash(b));
  // Fengari compares strings by their hashes: the order must follow the bytes.
  assert.ok(unpatchedLuaSHash(Uint8Array.of(0x0f)) > unpatchedLuaSHash(Uint8Array.of(0x10)));
  assert.ok(patchedLuaSHash(Uint8Array.of(0x0f)) < patchedLuaSHash(Uint8Array.of(0x10)));
  assert.ok(patchedLuaSHash(Uint8Array.of(0xff)) > patchedLuaSHash(Uint8Array.of(0x80, 0)));
});

Deno.test("the unpatched package merges the colliding keys and literals (shown in a Worker)", async () => {
  const { status, results } = await runUnpatched(SNIPPET);
  assert.equal(status, 0);
  // The second assignment overwrote the first key; the literals were merged.
  assert.deepEqual(results, ["second", "1", "true", "false", "2"]);
});

Deno.test("the patched hash handles long strings (chunked) and stays injective", () => {
  const long = new Uint8Array(100_000).map((_, i) => i & 0xff);
  const hash = patchedLuaSHash(long);
  assert.equal(hash.length, long.length + 1);
  assert.equal(hash.charCodeAt(1 + 70_000), 70_000 & 0xff);
  const source = `local t = {} t[string.rep("ab", 50000)] = 1 t[string.rep("ab", 49999) .. "ac"] = 2
    local n = 0 for _ in pairs(t) do n = n + 1 end return n`;
  assert.deepEqual(runPatched(source), ["2"]);
});
