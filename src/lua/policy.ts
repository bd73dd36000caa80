/**
 * {@link SessionPolicy} backed by the Lua callbacks of one `mysql_listen()`
 * handler table. Each callback runs in its own coroutine with the
 * connection's client object; the value it returns becomes a
 * {@link Verdict}. A Lua error or an invalid return value is a
 * {@link PolicyError} carrying the Lua message (`file:line: ...`).
 * @module
 */

import {
  type ClientSession,
  type HandshakeInfo,
  PolicyError,
  type SessionPolicy,
  type Verdict,
} from "../proxy/policy.ts";
import { lauxlib, lua, type LuaState } from "./fengari.ts";
import { LuaError } from "./errors.ts";
import type { LuaHost } from "./host.ts";
import type { LuaTask } from "./runner.ts";
import { displayText, luaConst } from "./strings.ts";
import { describeReturnValue, verdictAt } from "./api/action.ts";
import type { ClientRegistry } from "./api/client.ts";
import type { HandlerRefs } from "./api/mysql_listen.ts";

const ACCEPT: Verdict = Object.freeze({ kind: "accept" });

/** Registry references of the handshake_response keys. */
interface HandshakeKeys {
  readonly user: number;
  readonly password: number;
  readonly database: number;
}

/**
 * `t[key] = value` for the table on top of `L`, with the key string taken
 * from the registry: `lua_setfield` would copy and hash the key every time.
 */
function setField(L: LuaState, keyRef: number, value: Uint8Array): void {
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, keyRef);
  lua.lua_pushstring(L, value);
  lua.lua_rawset(L, -3);
}

function stringRef(L: LuaState, text: string): number {
  lua.lua_pushstring(L, luaConst(text));
  return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
}

/** The policy of one listener. */
export class LuaSessionPolicy implements SessionPolicy {
  readonly handlesInitDb: boolean;
  readonly #host: LuaHost;
  readonly #clients: ClientRegistry;
  readonly #handlers: HandlerRefs;
  readonly #keys: HandshakeKeys;

  constructor(host: LuaHost, clients: ClientRegistry, handlers: HandlerRefs) {
    this.#host = host;
    this.#clients = clients;
    this.#handlers = handlers;
    const L = host.L;
    this.#keys = {
      user: stringRef(L, "user"),
      password: stringRef(L, "password"),
      database: stringRef(L, "database"),
    };
    this.handlesInitDb = handlers.onInitDb !== lauxlib.LUA_NOREF;
  }

  /** `on_connect(client)`: nil accepts, `client:err()` refuses. */
  async onConnect(session: ClientSession): Promise<Verdict> {
    const ref = this.#handlers.onConnect;
    if (ref === lauxlib.LUA_NOREF) return ACCEPT;
    const task = this.#begin(ref, session);
    try {
      let n = this.#host.runner.execute(task, 1);
      if (typeof n !== "number") n = await n;
      const thread = task.thread;
      if (n === 0 || lua.lua_type(thread, 1) === lua.LUA_TNIL) return ACCEPT;
      const verdict = verdictAt(thread, 1);
      if (verdict?.kind === "err") return verdict;
      throw this.#invalid(ref, "on_connect", thread, "nil or client:err()");
    } catch (error) {
      throw policyError(error);
    } finally {
      this.#host.runner.finish(task);
    }
  }

  /** `on_handshake_response(client, {user, password[, database]})`: connect or err. */
  async onHandshakeResponse(session: ClientSession, handshake: HandshakeInfo): Promise<Verdict> {
    const ref = this.#handlers.onHandshakeResponse;
    const task = this.#begin(ref, session);
    try {
      const thread = task.thread;
      const keys = this.#keys;
      lua.lua_createtable(thread, 0, 3);
      setField(thread, keys.user, handshake.user);
      setField(thread, keys.password, handshake.password);
      if (handshake.database !== null && handshake.database.length > 0) {
        setField(thread, keys.database, handshake.database);
      }
      let n = this.#host.runner.execute(task, 2);
      if (typeof n !== "number") n = await n;
      const verdict = n === 0 ? undefined : verdictAt(thread, 1);
      if (verdict?.kind === "connect" || verdict?.kind === "err") return verdict;
      throw this.#invalid(ref, "on_handshake_response", thread, "client:connect() or client:err()");
    } catch (error) {
      throw policyError(error);
    } finally {
      this.#host.runner.finish(task);
    }
  }

  /** `on_command_phase(client)`; its return value is ignored. */
  async onCommandPhase(session: ClientSession): Promise<void> {
    const ref = this.#handlers.onCommandPhase;
    if (ref === lauxlib.LUA_NOREF) return;
    const task = this.#begin(ref, session);
    try {
      const n = this.#host.runner.execute(task, 1);
      if (typeof n !== "number") await n;
    } catch (error) {
      throw policyError(error);
    } finally {
      this.#host.runner.finish(task);
    }
  }

  /** `on_init_db(client, name)`: `client:init_db()` or `client:err()`. */
  async onInitDb(session: ClientSession, database: Uint8Array): Promise<Verdict> {
    const ref = this.#handlers.onInitDb;
    if (ref === lauxlib.LUA_NOREF) return { kind: "init_db", database };
    const task = this.#begin(ref, session);
    try {
      const thread = task.thread;
      lua.lua_pushstring(thread, database);
      let n = this.#host.runner.execute(task, 2);
      if (typeof n !== "number") n = await n;
      const verdict = n === 0 ? undefined : verdictAt(thread, 1);
      if (verdict?.kind === "init_db" || verdict?.kind === "err") return verdict;
      throw this.#invalid(ref, "on_init_db", thread, "client:init_db() or client:err()");
    } catch (error) {
      throw policyError(error);
    } finally {
      this.#host.runner.finish(task);
    }
  }

  /** The connection is gone: its client object becomes stale. */
  release(session: ClientSession): void {
    if (!this.#host.closed) this.#clients.release(session);
  }

  /** Starts `ref` in a new coroutine with the session's client object as argument. */
  #begin(ref: number, session: ClientSession): LuaTask {
    if (this.#host.closed) throw new PolicyError("Lua state is closed");
    const task = this.#host.runner.start(ref, session);
    this.#clients.push(task.thread, session);
    return task;
  }

  /** `lua/config.lua:12: on_connect returned a string value: expected ...`. */
  #invalid(ref: number, callback: string, thread: LuaState, expected: string): PolicyError {
    const got = describeReturnValue(thread, 1);
    return new PolicyError(
      `${definedAt(this.#host.L, ref)}${callback} returned ${got}: expected ${expected}`,
    );
  }
}

/** `file:line: ` where the function at registry `ref` is defined. */
function definedAt(L: LuaState, ref: number): string {
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
  const ar = new lua.lua_Debug();
  lua.lua_getinfo(L, ">S", ar);
  if (ar.short_src === null || !(ar.linedefined > 0)) return "";
  return `${displayText(ar.short_src)}:${ar.linedefined}: `;
}

function policyError(error: unknown): unknown {
  if (error instanceof LuaError) return new PolicyError(error.message, { cause: error });
  return error;
}
