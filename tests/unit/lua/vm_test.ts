import assert from "node:assert/strict";
import { lauxlib, lua, type LuaState } from "../../../src/lua/fengari.ts";
import { LuaHost } from "../../../src/lua/host.ts";
import { luaConst } from "../../../src/lua/strings.ts";
import { createLuaState } from "../../../src/lua/vm.ts";

/** Runs `source` in a fresh safe state; returns its results via tostring. */
function run(source: string, L: LuaState = createLuaState(() => {})): string[] {
  const status = lauxlib.luaL_loadbufferx(L, luaConst(source), null, luaConst("=test"), null);
  if (status === lua.LUA_OK && lua.lua_pcall(L, 0, lua.LUA_MULTRET, 0) === lua.LUA_OK) {
    const out: string[] = [];
    for (let i = 1; i <= lua.lua_gettop(L); i++) {
      out.push(new TextDecoder().decode(lauxlib.luaL_tolstring(L, i)));
      lua.lua_pop(L, 1);
    }
    lua.lua_settop(L, 0);
    return out;
  }
  const message = new TextDecoder().decode(lua.lua_tolstring(L, -1)!);
  lua.lua_settop(L, 0);
  throw new Error(message);
}

Deno.test("unsafe libraries and functions are absent", () => {
  const names = [
    "io",
    "require",
    "package",
    "debug",
    "dofile",
    "loadfile",
    "fengari",
    "js",
    "os.execute",
    "os.exit",
    "os.remove",
    "os.rename",
    "os.tmpname",
    "os.setlocale",
  ];
  assert.deepEqual(run(`return ${names.join(", ")}`), names.map(() => "nil"));
});

Deno.test("the safe standard libraries are present", () => {
  assert.deepEqual(
    run(`return type(string.format), type(table.concat), type(math.floor), type(utf8.char),
      type(coroutine.wrap), type(os.time), type(os.date), type(os.clock), type(os.difftime),
      type(os.getenv), type(pcall), type(setmetatable), type(load)`),
    new Array(13).fill("function"),
  );
  assert.deepEqual(run("return string.format('%05.1f', 3.14159), utf8.char(228)"), [
    "003.1",
    "ä",
  ]);
});

Deno.test("load accepts text chunks (with env) and refuses binary chunks", () => {
  assert.deepEqual(run("return load('return x', 'chunk', 't', { x = 5 })()"), ["5"]);
  assert.deepEqual(run("return load('return 1 + 1')()"), ["2"]);
  assert.deepEqual(run("return load(string.dump(function() end))"), [
    "nil",
    "attempt to load a binary chunk (mode is 't')",
  ]);
  assert.deepEqual(run("return load(string.dump(function() end), 'x', 'b')"), [
    "nil",
    'load: only text chunks (mode "t") are allowed',
  ]);
  assert.deepEqual(run("return load('return 1', 'x', 'bt')"), [
    "nil",
    'load: only text chunks (mode "t") are allowed',
  ]);
});

Deno.test("print goes to the sink, with tostring of each argument", () => {
  const printed: string[] = [];
  const L = createLuaState((_L, text) => printed.push(text));
  run(
    "print('a', 1, 2.5, nil, true, setmetatable({}, { __tostring = function() return 'T' end }))",
    L,
  );
  assert.deepEqual(printed, ["a\t1\t2.5\tnil\ttrue\tT"]);
});

Deno.test("os.getenv returns values and nil; os.clock and os.time are numbers", () => {
  Deno.env.set("MYPROXY_LUA_TEST", "value");
  try {
    assert.deepEqual(
      run(`return os.getenv('MYPROXY_LUA_TEST'), os.getenv('MYPROXY_LUA_TEST_UNSET'),
        math.type(os.time()), type(os.clock())`),
      ["value", "nil", "integer", "number"],
    );
  } finally {
    Deno.env.delete("MYPROXY_LUA_TEST");
  }
});

Deno.test("a JS exception in a host function becomes a Lua error; Deno refusals get advice", () => {
  const host = new LuaHost({ log: () => {} });
  const { L, runner } = host;
  lua.lua_pushcfunction(L, () => {
    throw new TypeError("boom");
  });
  lua.lua_setglobal(L, luaConst("broken"));
  lua.lua_pushcfunction(L, () => {
    throw new Deno.errors.NotCapable(
      'Requires read access to "/etc/secret", run again with the --allow-read flag',
    );
  });
  lua.lua_setglobal(L, luaConst("refused"));
  try {
    assert.deepEqual(run("return pcall(broken)", L), ["false", "Internal error: TypeError: boom"]);
    assert.deepEqual(run("return pcall(refused)", L), [
      "false",
      'Requires read access to "/etc/secret": add --allow-read=/etc/secret ' +
      'to the deno run flags (deno.json task "start")',
    ]);
    // The same inside a coroutine driven by the runner.
    run("function call_broken() broken() end", L);
    lua.lua_getglobal(L, luaConst("call_broken"));
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    const task = runner.start(ref);
    try {
      assert.throws(() => runner.execute(task, 0), /Internal error: TypeError: boom/);
    } finally {
      runner.finish(task);
    }
  } finally {
    host.close();
  }
});
