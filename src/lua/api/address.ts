/**
 * `SocketAddress` userdata and `mysql_resolve(text)`.
 *
 * Numeric addresses are parsed at once; a host name is resolved with the
 * system resolver while the calling coroutine is suspended (at startup this
 * delays startup only). `tostring(address)` gives the canonical text.
 * @module
 */

import {
  AddressError,
  formatAddress,
  parseNumericAddress,
  type SocketAddress,
} from "../../net/address.ts";
import type { BackendTarget } from "../../proxy/policy.ts";
import { lauxlib, lua, type LuaState } from "../fengari.ts";
import { HostFunctionError, raise } from "../errors.ts";
import type { LuaHost } from "../host.ts";
import { describeHostError } from "../../net/permission.ts";
import { asyncFunction } from "../runner.ts";
import { displayText, luaConst } from "../strings.ts";
import { pushUserdata, registerUserdataType, userdataValue } from "../userdata.ts";

/** A Lua value that `client:connect()` accepts as its backend. */
export interface BackendTargetHolder {
  readonly backendTarget: BackendTarget;
}

/** The JS side of a `SocketAddress` userdata. */
export class LuaSocketAddress implements BackendTargetHolder {
  constructor(readonly address: SocketAddress) {}

  get backendTarget(): SocketAddress {
    return this.address;
  }
}

/** The backend target held by the userdata at `idx`, if it holds one. */
export function backendTargetAt(L: LuaState, idx: number): BackendTarget | undefined {
  const value = userdataValue(L, idx) as Partial<BackendTargetHolder> | undefined;
  return value?.backendTarget;
}

/** The socket address held by the userdata at `idx`, if it is a `SocketAddress`. */
export function socketAddressAt(L: LuaState, idx: number): SocketAddress | undefined {
  const value = userdataValue(L, idx);
  return value instanceof LuaSocketAddress ? value.address : undefined;
}

/** Parses a numeric address, raising a Lua error on bad syntax; null for host names. */
export function parseNumericOrRaise(L: LuaState, text: string): SocketAddress | null {
  try {
    return parseNumericAddress(text);
  } catch (error) {
    if (error instanceof AddressError) return raise(L, error.message);
    throw error;
  }
}

function addressToString(L: LuaState): number {
  const address = socketAddressAt(L, 1);
  lua.lua_pushstring(L, address ? formatAddress(address) : "SocketAddress");
  return 1;
}

function addressEquals(L: LuaState): number {
  const a = socketAddressAt(L, 1);
  const b = socketAddressAt(L, 2);
  lua.lua_pushboolean(
    L,
    a !== undefined && b !== undefined && formatAddress(a) === formatAddress(b),
  );
  return 1;
}

/** Defines `mysql_resolve` and returns a function pushing `SocketAddress` userdata. */
export function openAddress(host: LuaHost): (L: LuaState, address: SocketAddress) => void {
  const { L } = host;
  const metatable = registerUserdataType(L, {
    name: "SocketAddress",
    metamethods: { __tostring: addressToString, __eq: addressEquals },
  });
  const push = (L: LuaState, address: SocketAddress) =>
    pushUserdata(L, new LuaSocketAddress(address), metatable);

  const resolveAsync = asyncFunction(host.runner, "mysql_resolve", (L) => {
    const text = displayText(lauxlib.luaL_checklstring(L, 1));
    return host.resolveAddress(text).then(
      (address) => (L: LuaState) => (push(L, address), 1),
      (error) => {
        const message = describeHostError(error, `resolve "${text}"`);
        throw new HostFunctionError(message, { cause: error });
      },
    );
  });
  lua.lua_pushcfunction(L, (L) => {
    const text = displayText(lauxlib.luaL_checklstring(L, 1));
    const numeric = parseNumericOrRaise(L, text);
    if (numeric === null) return resolveAsync(L);
    push(L, numeric);
    return 1;
  });
  lua.lua_setglobal(L, luaConst("mysql_resolve"));
  return push;
}
