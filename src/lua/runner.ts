/**
 * Runs Lua functions in coroutines so that host functions can be async.
 *
 * Every call gets a fresh Lua thread, anchored in the registry while it runs
 * and released afterwards. An async host function (see {@link asyncFunction})
 * suspends its thread with `lua_yieldk`; the runner awaits the host's
 * promise and resumes the thread, whose continuation pushes the results (or
 * raises the rejection as a Lua error). Other threads run meanwhile, so a
 * slow `sleep()` in one callback delays no other connection.
 * @module
 */

import { lauxlib, lua, type LuaJsFunction, type LuaKFunction, type LuaState } from "./fengari.ts";
import { errorObjectText, HostFunctionError, LuaError, raise } from "./errors.ts";
import { describeHostError } from "../net/permission.ts";
import { displayText, luaConst } from "./strings.ts";

/** Pushes the results of an async host function onto `L`; returns their count. */
export type Resumer = (L: LuaState) => number;

/**
 * The body of an async host function. It must read and check its arguments
 * synchronously (it is a plain function returning a promise, not an `async`
 * function, so `luaL_error` unwinds Lua normally) and return a promise of a
 * {@link Resumer}. A rejection becomes a Lua error in the calling coroutine.
 */
export type AsyncBody = (L: LuaState) => Promise<Resumer>;

/** Something whose log lines carry a prefix (a ClientSession). */
export interface LogContext {
  readonly logPrefix: string;
}

/** One running call. */
export class LuaTask {
  /** The promise the thread waits for while suspended in a host function. */
  pending: Promise<Resumer> | null = null;
  resumer: Resumer | null = null;
  failure: unknown = undefined;

  constructor(
    readonly thread: LuaState,
    readonly threadRef: number,
    /** The client this call serves, for `print`'s log prefix. */
    readonly logContext: LogContext | undefined,
  ) {}
}

/** Signals that the runner was closed while a task was suspended. */
const CLOSED = new LuaError("Lua state closed");

/** Starts and drives coroutines on one Lua state. */
export class LuaRunner {
  readonly #L: LuaState;
  readonly #tasks = new Map<LuaState, LuaTask>();
  readonly #abort = new AbortController();

  constructor(L: LuaState) {
    this.#L = L;
    this.#guardResume();
  }

  /**
   * Replaces `coroutine.resume` with a version that refuses the threads of
   * running tasks: a script could otherwise keep `coroutine.running()` of a
   * suspended callback and resume it from another one, waking it before its
   * host function finished.
   */
  #guardResume(): void {
    const L = this.#L;
    if (lua.lua_getglobal(L, luaConst("coroutine")) !== lua.LUA_TTABLE) {
      lua.lua_pop(L, 1);
      return;
    }
    lua.lua_getfield(L, -1, luaConst("resume"));
    lua.lua_pushcclosure(L, (L) => {
      const thread = lua.lua_tothread(L, 1);
      if (thread !== null && this.#tasks.has(thread)) {
        // Like resuming a running coroutine: false plus a message, no error.
        lua.lua_pushboolean(L, false);
        lua.lua_pushliteral(L, "cannot resume the coroutine of a myproxy callback");
        return 2;
      }
      const nargs = lua.lua_gettop(L);
      lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
      lua.lua_insert(L, 1);
      lua.lua_call(L, nargs, lua.LUA_MULTRET);
      return lua.lua_gettop(L);
    }, 1);
    lua.lua_setfield(L, -2, luaConst("resume"));
    lua.lua_pop(L, 1);
  }

  /** Aborted by {@link close}; long host operations (sleep) listen to it. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** The task whose coroutine is `L`, or undefined (main thread, user coroutine). */
  taskOf(L: LuaState): LuaTask | undefined {
    return this.#tasks.get(L);
  }

  /**
   * Creates a thread and pushes the function stored at registry `fnRef` onto
   * it. The caller pushes the arguments onto `task.thread`, then calls
   * {@link execute}.
   */
  start(fnRef: number, logContext?: LogContext): LuaTask {
    const L = this.#L;
    const thread = lua.lua_newthread(L);
    const threadRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, fnRef);
    const task = new LuaTask(thread, threadRef, logContext);
    this.#tasks.set(thread, task);
    return task;
  }

  /**
   * Runs the task's function with `nargs` arguments until it returns.
   * Returns the number of results, which are on `task.thread` at 1..n, or a
   * promise of it if the function suspended. Throws (or rejects with)
   * {@link LuaError} on a Lua error. Call {@link finish} afterwards in every
   * case.
   */
  execute(task: LuaTask, nargs: number): number | Promise<number> {
    if (this.#abort.signal.aborted) throw CLOSED;
    const status = lua.lua_resume(task.thread, null, nargs);
    if (status === lua.LUA_OK) return lua.lua_gettop(task.thread);
    if (status === lua.LUA_YIELD) return this.#drive(task);
    throw this.#failure(task);
  }

  async #drive(task: LuaTask): Promise<number> {
    const thread = task.thread;
    let status = lua.LUA_YIELD;
    while (status === lua.LUA_YIELD) {
      const pending = task.pending;
      task.pending = null;
      if (pending === null) {
        lauxlib.luaL_where(thread, 1);
        const where = displayText(lua.lua_tolstring(thread, -1) ?? new Uint8Array());
        throw new LuaError(
          `${where}attempt to yield from a callback (coroutine.yield outside coroutine.create/wrap)`,
        );
      }
      try {
        task.resumer = await pending;
      } catch (error) {
        task.failure = error ?? new Error("rejected");
      }
      if (this.#abort.signal.aborted) throw CLOSED;
      lua.lua_settop(thread, 0);
      status = lua.lua_resume(thread, null, 0);
    }
    if (status === lua.LUA_OK) return lua.lua_gettop(thread);
    throw this.#failure(task);
  }

  #failure(task: LuaTask): LuaError {
    const thread = task.thread;
    const message = errorObjectText(thread, -1);
    lauxlib.luaL_traceback(this.#L, thread, null, 0);
    const traceback = displayText(lua.lua_tolstring(this.#L, -1) ?? new Uint8Array());
    lua.lua_pop(this.#L, 1);
    return new LuaError(message, { luaTraceback: traceback });
  }

  /** Releases the task's thread. */
  finish(task: LuaTask): void {
    this.#tasks.delete(task.thread);
    lauxlib.luaL_unref(this.#L, lua.LUA_REGISTRYINDEX, task.threadRef);
  }

  /** Fails suspended tasks when they wake up and aborts {@link signal}. */
  close(): void {
    this.#abort.abort(CLOSED);
  }
}

const continueAfterAwait: LuaKFunction<LuaTask> = (L, _status, task) => {
  const { resumer, failure } = task;
  task.resumer = null;
  task.failure = undefined;
  if (failure !== undefined) {
    return raise(
      L,
      failure instanceof HostFunctionError ? failure.message : describeHostError(failure),
    );
  }
  if (resumer === null) return raise(L, "coroutine resumed before its host function finished");
  return resumer(L);
};

/**
 * Wraps `body` as a Lua-callable function that suspends the calling
 * coroutine until `body`'s promise settles. Where a suspension is
 * impossible (the main chunk outside the runner, a coroutine made by
 * `coroutine.create`, a metamethod, a `string.gsub` callback, a
 * `table.sort` comparator), it raises a Lua error naming `name` and starts
 * nothing.
 */
export function asyncFunction(runner: LuaRunner, name: string, body: AsyncBody): LuaJsFunction {
  return (L: LuaState): number => {
    const task = runner.taskOf(L);
    if (task === undefined) {
      return raise(
        L,
        `${name}() cannot suspend here: not called from a myproxy callback ` +
          "(coroutines made by coroutine.create/wrap cannot suspend)",
      );
    }
    if (!lua.lua_isyieldable(L)) {
      return raise(
        L,
        `${name}() cannot suspend here: inside a metamethod, ` +
          "a string.gsub callback or a table.sort comparator",
      );
    }
    task.pending = body(L);
    return lua.lua_yieldk(L, 0, task, continueAfterAwait);
  };
}

/** Defines the global `name` as an async host function (see {@link asyncFunction}). */
export function defineAsync(
  L: LuaState,
  runner: LuaRunner,
  name: string,
  body: AsyncBody,
): void {
  lua.lua_pushcfunction(L, asyncFunction(runner, name, body));
  lua.lua_setglobal(L, luaConst(name));
}
