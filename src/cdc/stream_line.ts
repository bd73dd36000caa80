/**
 * What one line after `REQUEST-DATA` means. Pure. Error lines are never
 * skipped: each becomes a typed error carrying the server's exact text.
 *
 * See cdc-protocol.md, "Request data" and "The stream", item 6.
 * @module
 */

import { decodeLine } from "./decode.ts";
import {
  CdcNoFileError,
  CdcProtocolError,
  CdcRequestError,
  CdcStreamError,
  quote,
} from "./errors.ts";
import type { RowEvent, SchemaEvent } from "./events.ts";

const MISSING_FILE = /^ERR NO-FILE File '.*' not found/;

/**
 * Interprets a line. `started` says whether a schema has arrived. Returns
 * `null` for a blank line and a {@link CdcNoFileError} for a missing table
 * (recoverable: the server keeps waiting for it). Throws
 * {@link CdcRequestError} for other refusals before the schema,
 * {@link CdcStreamError} for errors after it or fatal ones, and
 * {@link CdcProtocolError} for anything that is neither an error nor an
 * event, or a row before the schema.
 */
export function interpretLine(
  line: string,
  started: boolean,
): SchemaEvent | RowEvent | CdcNoFileError | null {
  if (line === "") return null;
  if (!line.startsWith("ERR")) {
    const event = decodeLine(line);
    if (event.kind === "row" && !started) {
      throw new CdcProtocolError(`Row before the table schema: ${quote(line)}`, line);
    }
    return event;
  }
  if (started || line.startsWith("ERR fatal error")) {
    throw new CdcStreamError(`Stream failed: server sent ${quote(line)}`, line);
  }
  if (MISSING_FILE.test(line)) {
    return new CdcNoFileError(`Table not found: server replied ${quote(line)}`, line);
  }
  throw new CdcRequestError(`Request refused: server replied ${quote(line)}`, line);
}
