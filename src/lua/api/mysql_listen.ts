/**
 * `mysql_listen(address, handler)` and the global `systemd`.
 *
 * `address` is a path (`/run/myproxy.sock`), an abstract name (`@name`), a
 * numeric `host:port` / `[v6]:port` / `*:port` (default port 3306), a
 * `SocketAddress` from `mysql_resolve()`, or `systemd` (the sockets passed by
 * systemd; the global is a sentinel, not the string "systemd"). `handler` is
 * a table of callbacks: `on_handshake_response` (required), `on_connect`,
 * `on_command_phase`, `on_init_db`; other keys are errors. The functions are
 * captured now, so later changes to the table have no effect.
 * @module
 */

import type { SocketAddress } from "../../net/address.ts";
import { lauxlib, lua, type LuaState } from "../fengari.ts";
import { raise } from "../errors.ts";
import { checkTableArgument, readStrictTable, type TableSpec } from "../options.ts";
import type { SetupPhase } from "../setup_phase.ts";
import { displayText, luaConst, typeNameAt } from "../strings.ts";
import { pushUserdata, registerUserdataType, userdataValue } from "../userdata.ts";
import { parseNumericOrRaise, socketAddressAt } from "./address.ts";

/** Registry references of a listener's callbacks (`LUA_NOREF` when absent). */
export interface HandlerRefs {
  readonly onConnect: number;
  readonly onHandshakeResponse: number;
  readonly onCommandPhase: number;
  readonly onInitDb: number;
}

/** One `mysql_listen()` call. */
export interface ListenRequest {
  readonly address: SocketAddress | "systemd";
  readonly handlers: HandlerRefs;
}

const HANDLER: TableSpec<{
  on_connect: "function";
  on_handshake_response: "function";
  on_command_phase: "function";
  on_init_db: "function";
}> = {
  what: "mysql_listen() handler",
  noun: "handler",
  fields: {
    on_connect: "function",
    on_handshake_response: "function",
    on_command_phase: "function",
    on_init_db: "function",
  },
};

/** The JS side of the `systemd` sentinel. */
class SystemdSentinel {}
const SYSTEMD = new SystemdSentinel();

function listenAddress(L: LuaState): SocketAddress | "systemd" {
  if (userdataValue(L, 1) === SYSTEMD) return "systemd";
  const resolved = socketAddressAt(L, 1);
  if (resolved !== undefined) return resolved;
  if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) {
    return raise(
      L,
      `Invalid address for mysql_listen(): expected string, SocketAddress or systemd, got ${
        typeNameAt(L, 1)
      }`,
    );
  }
  const text = displayText(lua.lua_tolstring(L, 1)!);
  const address = parseNumericOrRaise(L, text);
  if (address === null) {
    return raise(
      L,
      `Invalid address for mysql_listen(): "${text}" is a host name; ` +
        "listen on a numeric address, a path or an @abstract name",
    );
  }
  return address;
}

function listenHandlers(L: LuaState): HandlerRefs {
  checkTableArgument(L, 2, "handler for mysql_listen()", false);
  const refs = readStrictTable(L, 2, HANDLER);
  if (refs.on_handshake_response === undefined) {
    raise(L, 'Missing handler "on_handshake_response" in mysql_listen() handler');
  }
  return {
    onConnect: refs.on_connect ?? lauxlib.LUA_NOREF,
    onHandshakeResponse: refs.on_handshake_response,
    onCommandPhase: refs.on_command_phase ?? lauxlib.LUA_NOREF,
    onInitDb: refs.on_init_db ?? lauxlib.LUA_NOREF,
  };
}

/** Defines `systemd` and the setup-only `mysql_listen`, reporting calls to `onListen`. */
export function openMysqlListen(
  L: LuaState,
  setup: SetupPhase,
  onListen: (request: ListenRequest) => void,
): void {
  const metatable = registerUserdataType(L, {
    name: "systemd",
    metamethods: {
      __tostring: (L) => {
        lua.lua_pushliteral(L, "systemd");
        return 1;
      },
    },
  });
  pushUserdata(L, SYSTEMD, metatable);
  lua.lua_setglobal(L, luaConst("systemd"));
  setup.define(L, "mysql_listen", (L) => {
    const address = listenAddress(L);
    const handlers = listenHandlers(L);
    onListen({ address, handlers });
    return 0;
  });
}
