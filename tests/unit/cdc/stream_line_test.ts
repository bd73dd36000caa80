import assert from "node:assert/strict";
import {
  CdcNoFileError,
  CdcProtocolError,
  CdcRequestError,
  CdcStreamError,
} from "../../../src/cdc/errors.ts";
import { interpretLine } from "../../../src/cdc/stream_line.ts";

Deno.test("a missing table is a recoverable NO-FILE error with the exact server text", () => {
  const line = "ERR NO-FILE File 'db.t.3.avro' not found.";
  const result = interpretLine(line, false);
  assert.ok(result instanceof CdcNoFileError);
  assert.equal(result.serverMessage, line);
  assert.equal(result.message, `Table not found: server replied "${line}"`);
});

Deno.test("other refusals before the schema are request errors with the exact text", () => {
  for (
    const line of [
      "ERR REQUEST-DATA with no data.",
      "ERR NO-FILE Filename not specified.",
      "ERR: Unknown command\0",
    ]
  ) {
    assert.throws(() => interpretLine(line, false), (error: Error) => {
      assert.ok(error instanceof CdcRequestError && !(error instanceof CdcNoFileError), line);
      assert.equal(error.serverMessage, line);
      return true;
    });
  }
});

Deno.test("fatal errors are stream errors, before or after the schema", () => {
  for (const code of ["MAXAVRO_ERR_IO", "MAXAVRO_ERR_MEMORY", "MAXAVRO_ERR_VALUE_OVERFLOW"]) {
    const line = `ERR fatal error: ${code}`;
    for (const started of [false, true]) {
      assert.throws(() => interpretLine(line, started), (error: Error) => {
        assert.ok(error instanceof CdcStreamError);
        assert.equal(error.serverMessage, line);
        assert.equal(error.message, `Stream failed: server sent "${line}"`);
        return true;
      });
    }
  }
});

Deno.test("any error line after the schema ends the stream", () => {
  assert.throws(() => interpretLine("ERR NO-FILE File 'x' not found.", true), CdcStreamError);
});

Deno.test("blank lines are skipped and garbage is a protocol error", () => {
  assert.equal(interpretLine("", true), null);
  assert.throws(() => interpretLine("OK", true), CdcProtocolError);
  assert.throws(() => interpretLine("Err lowercase", false), CdcProtocolError);
});

Deno.test("a row before the schema is a protocol error", () => {
  const row = '{"domain": 0, "server_id": 1, "sequence": 2, "event_number": 1, "timestamp": 4, ' +
    '"event_type": "insert"}';
  assert.throws(() => interpretLine(row, false), /^CdcProtocolError: Row before the table schema/);
  assert.equal(interpretLine(row, true)?.constructor, Object);
});
