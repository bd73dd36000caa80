/**
 * Re-encodes the backend's login OK for the client: the two sides may have
 * agreed on different capabilities (myproxy-behaviour.md §2).
 * @module
 */

import { Capability, hasCapability } from "../mysql/constants.ts";
import { buildOk, parseOk } from "../mysql/response.ts";

/** Decodes an OK sent with `fromCaps` and encodes it for `toCaps`. */
export function reencodeOk(payload: Uint8Array, fromCaps: number, toCaps: number): Uint8Array {
  const ok = parseOk(payload, fromCaps);
  return buildOk({
    affectedRows: ok.affectedRows,
    lastInsertId: ok.lastInsertId,
    status: ok.status,
    warnings: ok.warnings,
    info: ok.info,
    sessionState: hasCapability(toCaps, Capability.SESSION_TRACK) ? ok.sessionState : null,
  }, toCaps);
}
