/**
 * Action values: what `client:err()`, `client:connect()` and
 * `client:init_db()` return and a handler returns in turn. Each holds the
 * finished {@link Verdict}, built when the method was called, so later
 * changes to the tables passed in do not matter.
 * @module
 */

import type { Verdict } from "../../proxy/policy.ts";
import { lua, type LuaState } from "../fengari.ts";
import { typeNameAt } from "../strings.ts";
import { pushUserdata, registerUserdataType, userdataValue } from "../userdata.ts";

/** The JS side of an action userdata. */
export class LuaAction {
  constructor(readonly verdict: Verdict) {}
}

/** Describes a value a handler returned, for "invalid return value" messages. */
export function describeReturnValue(L: LuaState, idx: number): string {
  const action = userdataValue(L, idx);
  if (action instanceof LuaAction) {
    const kind = action.verdict.kind;
    return `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} action`;
  }
  if (lua.lua_type(L, idx) === lua.LUA_TNONE) return "nothing";
  return `a ${typeNameAt(L, idx)} value`;
}

/** Creates the action type; returns a function pushing an action. */
export function openActions(L: LuaState): (L: LuaState, verdict: Verdict) => void {
  const metatable = registerUserdataType(L, {
    name: "myproxy.action",
    metamethods: {
      __tostring: (L) => {
        const action = userdataValue(L, 1) as LuaAction;
        lua.lua_pushstring(L, `${action.verdict.kind} action`);
        return 1;
      },
    },
  });
  return (L, verdict) => pushUserdata(L, new LuaAction(verdict), metatable);
}

/** The verdict of the action at `idx`, or undefined for any other value. */
export function verdictAt(L: LuaState, idx: number): Verdict | undefined {
  const value = userdataValue(L, idx);
  return value instanceof LuaAction ? value.verdict : undefined;
}
