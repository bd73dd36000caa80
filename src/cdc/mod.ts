/**
 * A client for MaxScale's Change Data Capture protocol (TYPE=JSON).
 *
 * ```ts
 * import { CdcClient } from "./mod.ts";
 *
 * await using client = new CdcClient({ address: "maxscale:4001", user: "cdc", password: "secret" });
 * for await (const event of client.requestData("shop", "orders", { version: 1 })) {
 *   if (event.kind === "schema") console.log("columns:", event.fields.map((f) => f.name));
 *   if (event.kind === "row") console.log(event.gtid, event.eventType, event.values);
 * }
 * ```
 *
 * See docs/cdc.md.
 * @module
 */

export { CdcClient } from "./client.ts";
export { CdcStream } from "./stream.ts";
export type { CdcClientOptions, RequestDataOptions } from "./options.ts";
export type { ReconnectOptions } from "./backoff.ts";
export type { CdcLogger } from "./logger.ts";
export type {
  AvroType,
  CdcEvent,
  ColumnValue,
  ReconnectEvent,
  RowEvent,
  RowEventType,
  SchemaEvent,
  SchemaField,
  StreamPosition,
  WaitingEvent,
} from "./events.ts";
export { formatGtid, type Gtid, parseGtid } from "./gtid.ts";
export { authenticationMessage } from "./auth.ts";
export { CDC_DEFAULT_PORT } from "./address.ts";
export {
  CdcArgumentError,
  CdcAuthenticationError,
  CdcClosedError,
  CdcConnectionError,
  CdcError,
  CdcNoFileError,
  CdcProtocolError,
  CdcRegistrationError,
  CdcRequestError,
  CdcServerError,
  CdcStreamError,
  CdcTimeoutError,
  type CdcTimeoutKind,
} from "./errors.ts";
