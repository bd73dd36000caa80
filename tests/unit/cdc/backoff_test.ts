import assert from "node:assert/strict";
import { backoffDelay, DEFAULT_RECONNECT, reconnectPolicy } from "../../../src/cdc/backoff.ts";
import { CdcArgumentError } from "../../../src/cdc/errors.ts";

Deno.test("backoff doubles up to the maximum", () => {
  const policy = reconnectPolicy({ initialDelay: 100, maxDelay: 1000, jitter: 0 });
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy)), [
    100,
    200,
    400,
    800,
    1000,
    1000,
  ]);
});

Deno.test("jitter only shortens the delay, by at most its fraction", () => {
  const policy = reconnectPolicy({ initialDelay: 1000, jitter: 0.5 });
  assert.equal(backoffDelay(1, policy, () => 0), 1000);
  assert.equal(backoffDelay(1, policy, () => 0.999999), 500);
});

Deno.test("reconnect defaults are unlimited retries from 250 ms to 30 s", () => {
  assert.deepEqual(reconnectPolicy({}), DEFAULT_RECONNECT);
  assert.equal(DEFAULT_RECONNECT.maxAttempts, Infinity);
});

Deno.test("invalid reconnect options are refused", () => {
  for (
    const options of [{ maxAttempts: -1 }, { initialDelay: NaN }, { multiplier: 0.5 }, {
      jitter: 2,
    }, {
      initialDelay: 100,
      maxDelay: 50,
    }]
  ) {
    assert.throws(() => reconnectPolicy(options), CdcArgumentError, JSON.stringify(options));
  }
});
