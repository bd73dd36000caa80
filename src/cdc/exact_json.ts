/**
 * JSON parsing that keeps 64-bit integers exact. GTID sequences and BIGINT
 * UNSIGNED columns exceed 2^53; `JSON.parse` would round them silently.
 * @module
 */

/** `JSON.parse` with the source-text access of the reviver (V8 ≥ 11.4). */
type ParseWithSource = (
  text: string,
  reviver: (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown,
) => unknown;

const INTEGER_TEXT = /^-?[0-9]+$/;

function isInexactInteger(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value);
}

function hasInexactInteger(value: unknown): boolean {
  if (isInexactInteger(value)) return true;
  if (typeof value !== "object" || value === null) return false;
  for (const item of Object.values(value)) if (hasInexactInteger(item)) return true;
  return false;
}

function reviveExact(_key: string, value: unknown, context: { source?: string }): unknown {
  const source = context?.source;
  return isInexactInteger(value) && source !== undefined && INTEGER_TEXT.test(source)
    ? BigInt(source)
    : value;
}

/**
 * Parses JSON; integers outside the safe range become `bigint`. The common
 * case costs one plain `JSON.parse` and a walk over the values; only a value
 * that lost precision triggers a second, exact parse. Throws `SyntaxError`.
 */
export function parseExactJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!hasInexactInteger(value)) return value;
  return (JSON.parse as ParseWithSource)(text, reviveExact);
}
