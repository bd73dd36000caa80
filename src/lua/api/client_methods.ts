/**
 * The action methods of the client object:
 * - `client:err(message)`: refuse (on_connect, on_handshake_response,
 *   on_init_db);
 * - `client:connect(address, handshake_response[, options])`: log in to a
 *   backend (on_handshake_response);
 * - `client:init_db(name)`: forward COM_INIT_DB (on_init_db).
 *
 * Each returns an action value (see `action.ts`) holding the finished verdict.
 * @module
 */

import type { BackendCredentials, BackendTarget, Verdict } from "../../proxy/policy.ts";
import { lauxlib, lua, type LuaState } from "../fengari.ts";
import { raise } from "../errors.ts";
import { checkTableArgument, readStrictTable, type TableSpec } from "../options.ts";
import { displayText, typeNameAt } from "../strings.ts";
import { backendTargetAt, parseNumericOrRaise } from "./address.ts";
import { checkClient, type ClientMethods } from "./client.ts";

/** Pushes an action value holding `verdict`. */
export type PushAction = (L: LuaState, verdict: Verdict) => void;

const HANDSHAKE_RESPONSE: TableSpec<{
  user: "string";
  password: "string";
  password_sha1: "string";
  database: "string";
}> = {
  what: "handshake_response",
  noun: "field",
  fields: { user: "string", password: "string", password_sha1: "string", database: "string" },
};

const CONNECT_OPTIONS: TableSpec<{ read_only: "boolean" }> = {
  what: "client:connect() options",
  noun: "option",
  fields: { read_only: "boolean" },
};

/** SHA1 digest length: `password_sha1` stands in for SHA1(password). */
const SHA1_LENGTH = 20;

/** Reads argument `idx` of `client:connect()`: a SocketAddress/cluster or a numeric address string. */
function targetArgument(L: LuaState, idx: number): BackendTarget {
  const type = lua.lua_type(L, idx);
  if (type === lua.LUA_TSTRING) {
    const text = displayText(lua.lua_tolstring(L, idx)!);
    const address = parseNumericOrRaise(L, text);
    if (address === null) {
      return raise(
        L,
        `Cannot connect to "${text}": host names must be resolved at startup ` +
          `with mysql_resolve("${text}")`,
      );
    }
    return address;
  }
  const target = backendTargetAt(L, idx);
  if (target === undefined) {
    return raise(
      L,
      `Invalid address for client:connect(): expected SocketAddress or string, got ${
        typeNameAt(L, idx)
      }`,
    );
  }
  return target;
}

function credentialsArgument(L: LuaState, idx: number): BackendCredentials {
  checkTableArgument(L, idx, "handshake_response for client:connect()", false);
  const fields = readStrictTable(L, idx, HANDSHAKE_RESPONSE);
  if (fields.user === undefined) raise(L, 'Missing field "user" in handshake_response');
  const sha1 = fields.password_sha1;
  if (sha1 !== undefined && sha1.length !== SHA1_LENGTH) {
    raise(
      L,
      `Invalid field "password_sha1" in handshake_response: expected ${SHA1_LENGTH} raw bytes ` +
        `(a SHA1 digest, not hex), got ${sha1.length}`,
    );
  }
  return {
    user: fields.user,
    password: fields.password ?? null,
    passwordSha1: sha1 ?? null,
    database: fields.database ?? null,
  };
}

function readOnlyArgument(L: LuaState, idx: number): boolean {
  if (!checkTableArgument(L, idx, "options for client:connect()", true)) return false;
  return readStrictTable(L, idx, CONNECT_OPTIONS).read_only ?? false;
}

/** Creates the methods table of the client object. */
export function createClientMethods(pushAction: PushAction): ClientMethods {
  return {
    err(L) {
      checkClient(L, 1);
      const message = lauxlib.luaL_checklstring(L, 2);
      pushAction(L, { kind: "err", message });
      return 1;
    },
    connect(L) {
      checkClient(L, 1);
      const target = targetArgument(L, 2);
      const credentials = credentialsArgument(L, 3);
      const readOnly = readOnlyArgument(L, 4);
      pushAction(L, { kind: "connect", target, credentials, readOnly });
      return 1;
    },
    init_db(L) {
      checkClient(L, 1);
      const database = lauxlib.luaL_checklstring(L, 2);
      pushAction(L, { kind: "init_db", database });
      return 1;
    },
  };
}
