/**
 * The Lua host of myproxy: loads `config.lua` with Fengari and exposes each
 * `mysql_listen()` handler table as a {@link SessionPolicy}. Nothing outside
 * `src/lua/` imports Fengari.
 * @module
 */

export {
  ConfigError,
  type HostServices,
  type ListenerConfig,
  loadConfig,
  type LoadedConfig,
} from "./config.ts";
export { LuaError } from "./errors.ts";
export { describeHostError, isPermissionError, permissionAdvice } from "../net/permission.ts";
