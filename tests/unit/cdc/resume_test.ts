import assert from "node:assert/strict";
import type { RowEvent, SchemaEvent } from "../../../src/cdc/events.ts";
import { ResumeTracker } from "../../../src/cdc/resume.ts";

function row(sequence: number, eventNumber = 1, domain = 0, serverId = 3000): RowEvent {
  return {
    kind: "row",
    domain,
    serverId,
    sequence: BigInt(sequence),
    eventNumber,
    timestamp: 0,
    eventType: "insert",
    gtid: `${domain}-${serverId}-${sequence}`,
    values: {},
    raw: "",
  };
}

function schema(version: number): SchemaEvent {
  return {
    kind: "schema",
    namespace: "n",
    name: "ChangeRecord",
    database: "db",
    table: "t",
    version,
    gtid: null,
    fields: [],
    raw: `schema ${version}`,
  };
}

Deno.test("before any delivery the caller's version and GTID are requested", () => {
  const gtid = { domain: 0, serverId: 3000, sequence: 5n };
  const tracker = new ResumeTracker({ version: 2, gtid });
  assert.deepEqual(tracker.resumePoint(), { version: 2, gtid });
  assert.equal(tracker.position, null);
});

Deno.test("a resumed request starts at the last delivered GTID and schema version", () => {
  const tracker = new ResumeTracker({ version: 1 });
  assert.ok(tracker.accept(schema(1)));
  assert.ok(tracker.accept(row(7, 1)));
  assert.ok(tracker.accept(schema(2)));
  assert.ok(tracker.accept(row(8, 1)));
  assert.ok(tracker.accept(row(8, 2)));
  assert.deepEqual(tracker.resumePoint(), {
    version: 2,
    gtid: { domain: 0, serverId: 3000, sequence: 8n },
  });
  assert.deepEqual(tracker.position, { domain: 0, serverId: 3000, sequence: 8n, eventNumber: 2 });
});

Deno.test("after a reconnect, the repeated schema and events up to the last delivered are dropped", () => {
  const tracker = new ResumeTracker({});
  for (const event of [schema(1), row(7), row(8, 1), row(8, 2)]) assert.ok(tracker.accept(event));
  tracker.beginResume();
  // The inclusive seek repeats the schema and transaction 8; event 3 of it is new.
  const delivered = [schema(1), row(8, 1), row(8, 2), row(8, 3), row(9)].filter((e) =>
    tracker.accept(e)
  );
  assert.deepEqual(delivered, [row(8, 3), row(9)]);
});

Deno.test("a changed schema during catch-up is delivered", () => {
  const tracker = new ResumeTracker({});
  tracker.accept(schema(1));
  tracker.accept(row(3));
  tracker.beginResume();
  assert.equal(tracker.accept(schema(2)), true);
});

Deno.test("catching up ends at the first new event: later equal keys are not dropped", () => {
  const tracker = new ResumeTracker({});
  tracker.accept(row(5));
  tracker.beginResume();
  assert.equal(tracker.accept(row(5)), false);
  assert.equal(tracker.accept(row(6)), true);
  assert.equal(tracker.accept(row(5, 1, 1)), true, "another domain is never a duplicate");
});

Deno.test("without a reconnect nothing is dropped", () => {
  const tracker = new ResumeTracker({});
  assert.ok(tracker.accept(schema(1)));
  assert.ok(tracker.accept(schema(1)));
  assert.ok(tracker.accept(row(5)));
  assert.ok(tracker.accept(row(5)));
});

Deno.test("catch-up compares domain, server id, sequence and event number", () => {
  const cases: [RowEvent, boolean][] = [
    [row(9, 5), false],
    [row(10, 1), false],
    [row(10, 2), false],
    [row(10, 3), true],
    [row(11, 1), true],
    [row(10, 1, 0, 3001), true],
    [row(3, 1, 1, 3000), true],
  ];
  for (const [event, expected] of cases) {
    const tracker = new ResumeTracker({});
    tracker.accept(row(10, 2, 0, 3000));
    tracker.beginResume();
    assert.equal(tracker.accept(event), expected, `${event.gtid}#${event.eventNumber}`);
  }
});
