/**
 * Shared set-up of the CDC client tests: a table, a client for the fake
 * server, and event collection.
 * @module
 */

import { CdcClient, type CdcClientOptions, type CdcEvent } from "../../../src/cdc/mod.ts";
import type { FakeCdcServer, FakeRow } from "../fake_cdc_server.ts";

/** Adds `shop.orders` version 1 (`id` int, `note` varchar) to `server`. */
export function addOrders(server: FakeCdcServer, rows: readonly FakeRow[] = []): void {
  server.addTable("shop", "orders", {
    version: 1,
    columns: [{ name: "id", type: ["null", "int"], realType: "int" }, { name: "note" }],
  });
  if (rows.length > 0) server.addRows("shop", "orders", rows);
}

/** Rows with sequences `from`..`to`, one event each, `id` = sequence. */
export function orderRows(from: number, to: number): FakeRow[] {
  const rows: FakeRow[] = [];
  for (let sequence = from; sequence <= to; sequence++) {
    rows.push({ sequence, values: { id: sequence, note: `order ${sequence}` } });
  }
  return rows;
}

/** A client for the fake server as maxuser/maxpwd, short timeouts. */
export function clientFor(
  server: FakeCdcServer,
  options: Partial<CdcClientOptions> = {},
): CdcClient {
  return new CdcClient({
    address: server.address,
    user: "maxuser",
    password: "maxpwd",
    dialTimeout: 2000,
    readTimeout: 2000,
    writeTimeout: 2000,
    ...options,
  });
}

/** Takes `count` events from `events`, then leaves the loop (closing the stream). */
export async function take(events: AsyncIterable<CdcEvent>, count: number): Promise<CdcEvent[]> {
  const taken: CdcEvent[] = [];
  if (count <= 0) return taken;
  for await (const event of events) {
    taken.push(event);
    if (taken.length >= count) break;
  }
  return taken;
}

/** Short description of events for `assert.deepEqual`: `schema v1`, `row 0-3000-8#1`. */
export function describe(events: readonly CdcEvent[]): string[] {
  return events.map((event) => {
    switch (event.kind) {
      case "schema":
        return `schema v${event.version}`;
      case "row":
        return `row ${event.gtid}#${event.eventNumber}`;
      case "waiting":
        return "waiting";
      case "reconnect":
        return `reconnect ${event.error.name}`;
    }
  });
}
