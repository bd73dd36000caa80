/**
 * The `client` object: one userdata per {@link ClientSession}, the same in
 * every callback of the connection, so `notes` persists. Attributes (see
 * myproxy-behaviour.md §4): `pid`, `uid`, `gid` (nil without SO_PEERCRED),
 * `account` (read/write; nil clears, "" is an error), `notes` (a table made
 * on first access, not replaceable), `server_version` (read/write).
 * Methods: `err`, `connect`, `init_db` (see `client_methods.ts`). After the
 * connection is gone, every access raises "Stale object".
 * @module
 */

import type { ClientSession } from "../../proxy/policy.ts";
import { lauxlib, lua, type LuaJsFunction, type LuaState, to_jsstring } from "../fengari.ts";
import { raise } from "../errors.ts";
import { latin1, typeNameAt } from "../strings.ts";
import { pushUserdata, registerUserdataType, userdataValue } from "../userdata.ts";

/** The JS side of a client userdata. */
export class LuaClient {
  stale = false;
  notesRef: number = lauxlib.LUA_NOREF;
  /** Registry reference of the userdata itself. */
  ref: number = lauxlib.LUA_NOREF;

  constructor(readonly session: ClientSession) {}
}

/** The methods a client object offers, by name. */
export type ClientMethods = Readonly<Record<string, LuaJsFunction>>;

/** The live client object at `idx` (normally `self`), raising otherwise. */
export function checkClient(L: LuaState, idx: number): LuaClient {
  const client = userdataValue(L, idx);
  if (!(client instanceof LuaClient)) {
    return raise(L, `Expected a client object, got ${typeNameAt(L, idx)} (use client:method())`);
  }
  if (client.stale || client.session.closed) return raise(L, "Stale object");
  return client;
}

function pushId(L: LuaState, value: number): void {
  // Fengari integers are 32-bit; a uid above 2^31-1 must travel as a float.
  if (value <= 0x7fffffff) lua.lua_pushinteger(L, value);
  else lua.lua_pushnumber(L, value);
}

function keyAt(L: LuaState, idx: number): string {
  if (lua.lua_type(L, idx) !== lua.LUA_TSTRING) {
    return raise(L, `Invalid client attribute: expected string key, got ${typeNameAt(L, idx)}`);
  }
  return latin1(lua.lua_tolstring(L, idx)!);
}

function pushNotes(L: LuaState, client: LuaClient): void {
  if (client.notesRef === lauxlib.LUA_NOREF) {
    lua.lua_createtable(L, 0, 0);
    lua.lua_pushvalue(L, -1);
    client.notesRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  } else {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, client.notesRef);
  }
}

function makeIndex(methods: ClientMethods): LuaJsFunction {
  return (L) => {
    const client = checkClient(L, 1);
    const { session } = client;
    const key = keyAt(L, 2);
    switch (key) {
      case "pid":
      case "uid":
      case "gid":
        if (session.peer === null) lua.lua_pushnil(L);
        else pushId(L, session.peer[key]);
        return 1;
      case "account":
        if (session.account === null) lua.lua_pushnil(L);
        else lua.lua_pushstring(L, session.account);
        return 1;
      case "notes":
        pushNotes(L, client);
        return 1;
      case "server_version":
        lua.lua_pushstring(L, session.serverVersion);
        return 1;
    }
    const method = Object.hasOwn(methods, key) ? methods[key] : undefined;
    if (method === undefined) return raise(L, `Unknown client attribute "${key}"`);
    lua.lua_pushcfunction(L, method);
    return 1;
  };
}

function setAccount(L: LuaState, session: ClientSession): void {
  const type = lua.lua_type(L, 3);
  if (type === lua.LUA_TNIL) {
    session.account = null;
    return;
  }
  if (type !== lua.LUA_TSTRING) {
    raise(L, `Invalid client.account: expected string or nil, got ${typeNameAt(L, 3)}`);
  }
  const account = lua.lua_tolstring(L, 3)!;
  if (account.length === 0) {
    raise(L, "Invalid client.account: must not be empty (use nil to clear)");
  }
  session.account = account;
}

function setServerVersion(L: LuaState, session: ClientSession): void {
  if (lua.lua_type(L, 3) !== lua.LUA_TSTRING) {
    raise(L, `Invalid client.server_version: expected string, got ${typeNameAt(L, 3)}`);
  }
  const bytes = lua.lua_tolstring(L, 3)!;
  // The greeting carries it NUL-terminated: a NUL would cut it short.
  if (bytes.includes(0)) raise(L, "Invalid client.server_version: must not contain a NUL byte");
  let text: string;
  try {
    text = to_jsstring(bytes);
  } catch {
    return raise(L, "Invalid client.server_version: not valid UTF-8");
  }
  session.serverVersion = text;
}

function newIndex(L: LuaState): number {
  const client = checkClient(L, 1);
  const key = keyAt(L, 2);
  switch (key) {
    case "account":
      setAccount(L, client.session);
      return 0;
    case "server_version":
      setServerVersion(L, client.session);
      return 0;
    case "notes":
      return raise(L, "Cannot assign client.notes: add entries to the table instead");
    case "pid":
    case "uid":
    case "gid":
      return raise(L, `Cannot assign client.${key}: read-only attribute`);
  }
  return raise(L, `Unknown client attribute "${key}"`);
}

function clientToString(L: LuaState): number {
  const client = userdataValue(L, 1) as LuaClient;
  const stale = client.stale || client.session.closed;
  lua.lua_pushstring(L, stale ? "client (stale)" : `client ${client.session.logPrefix}`);
  return 1;
}

/** All client objects of one Lua state, keyed by session. */
export class ClientRegistry {
  readonly #L: LuaState;
  readonly #metatable: number;
  readonly #clients = new Map<ClientSession, LuaClient>();

  constructor(L: LuaState, methods: ClientMethods) {
    this.#L = L;
    this.#metatable = registerUserdataType(L, {
      name: "client",
      metamethods: {
        __index: makeIndex(methods),
        __newindex: newIndex,
        __tostring: clientToString,
      },
    });
  }

  /** Number of live client objects (for tests and metrics). */
  get size(): number {
    return this.#clients.size;
  }

  /** Pushes the session's client object onto `L`, creating it on first use. */
  push(L: LuaState, session: ClientSession): void {
    const client = this.#clients.get(session);
    if (client !== undefined) {
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, client.ref);
      return;
    }
    const created = new LuaClient(session);
    pushUserdata(L, created, this.#metatable);
    lua.lua_pushvalue(L, -1);
    created.ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.#clients.set(session, created);
  }

  /** Makes the session's client object stale and drops its references. */
  release(session: ClientSession): void {
    const client = this.#clients.get(session);
    if (client === undefined) return;
    this.#clients.delete(session);
    client.stale = true;
    lauxlib.luaL_unref(this.#L, lua.LUA_REGISTRYINDEX, client.ref);
    lauxlib.luaL_unref(this.#L, lua.LUA_REGISTRYINDEX, client.notesRef);
    client.ref = client.notesRef = lauxlib.LUA_NOREF;
  }
}
