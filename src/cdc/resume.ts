/**
 * Exactly-once delivery across reconnects. The GTID seek is inclusive, so a
 * stream resumed from the last delivered GTID repeats that transaction (and
 * the schema): while catching up, events at or before the last delivered
 * (domain, server_id, sequence, event_number) and the unchanged schema are
 * dropped.
 *
 * See cdc-protocol.md, "The stream", item 4.
 * @module
 */

import type { RowEvent, SchemaEvent, StreamPosition } from "./events.ts";
import type { Gtid } from "./gtid.ts";

/** Where a (re)started request begins. */
export interface ResumePoint {
  readonly version?: number | string;
  readonly gtid?: Gtid;
}

function atOrBefore(row: RowEvent, last: StreamPosition): boolean {
  if (row.domain !== last.domain) return false;
  if (row.sequence !== last.sequence) return row.sequence < last.sequence;
  return row.serverId === last.serverId && row.eventNumber <= last.eventNumber;
}

/** Tracks what was delivered and filters what a resumed stream repeats. */
export class ResumeTracker {
  readonly #start: ResumePoint;
  #position: StreamPosition | null = null;
  #schema: SchemaEvent | null = null;
  #catchingUp = false;

  /** `start` is the caller's request. */
  constructor(start: ResumePoint) {
    this.#start = start;
  }

  /** The last delivered row, or `null` before the first. */
  get position(): StreamPosition | null {
    return this.#position;
  }

  /**
   * Where to request from now: the version of the last delivered schema and
   * the GTID of the last delivered row, or the caller's values before that.
   */
  resumePoint(): ResumePoint {
    const position = this.#position;
    return {
      version: this.#schema?.version ?? this.#start.version,
      gtid: position
        ? { domain: position.domain, serverId: position.serverId, sequence: position.sequence }
        : this.#start.gtid,
    };
  }

  /** A new connection starts: filter what it repeats. */
  beginResume(): void {
    this.#catchingUp = this.#position !== null || this.#schema !== null;
  }

  /**
   * Whether to deliver `event`; records it as delivered when so. A row past
   * the last delivered one ends the catching up.
   */
  accept(event: SchemaEvent | RowEvent): boolean {
    if (event.kind === "schema") {
      if (this.#catchingUp && event.raw === this.#schema?.raw) return false;
      this.#schema = event;
      return true;
    }
    if (this.#catchingUp && this.#position && atOrBefore(event, this.#position)) return false;
    this.#catchingUp = false;
    this.#position = {
      domain: event.domain,
      serverId: event.serverId,
      sequence: event.sequence,
      eventNumber: event.eventNumber,
    };
    return true;
  }
}
