/**
 * Minimal Ed25519 group arithmetic in BigInt (private to `auth/`): fixed-base
 * scalar multiplication and point encoding, nothing else. libsodium's standard
 * build lacks `crypto_scalarmult_ed25519_base_noclamp`, which MariaDB's
 * password-derived keys need. Not constant-time: it runs on the proxy's own
 * backend secrets only, never on attacker-chosen scalars.
 *
 * Spec: RFC 8032 §5.1 (https://www.rfc-editor.org/rfc/rfc8032#section-5.1),
 * formulas from https://hyperelliptic.org/EFD/g1p/auto-twisted-extended-1.html
 * @module
 */

/** The field prime 2^255 − 19. */
const P = (1n << 255n) - 19n;
/** The group order L. */
export const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function mod(a: bigint, m: bigint = P): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

function invert(a: bigint): bigint {
  return pow(a, P - 2n);
}

const D2 = mod(2n * -121665n * invert(121666n));

/** Extended coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z, xy = T/Z. */
type Point = readonly [bigint, bigint, bigint, bigint];

const BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
const BASE_Y = 46316835694926478169428394003475163141307993866256225615783033603165251855960n;
const BASE: Point = [BASE_X, BASE_Y, 1n, mod(BASE_X * BASE_Y)];
const IDENTITY: Point = [0n, 1n, 1n, 0n];

// add-2008-hwcd-3 (a = −1).
function add(p: Point, q: Point): Point {
  const a = mod((p[1] - p[0]) * (q[1] - q[0]));
  const b = mod((p[1] + p[0]) * (q[1] + q[0]));
  const c = mod(p[3] * D2 * q[3]);
  const d = mod(2n * p[2] * q[2]);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

// dbl-2008-hwcd (a = −1).
function double(p: Point): Point {
  const a = mod(p[0] * p[0]);
  const b = mod(p[1] * p[1]);
  const c = mod(2n * p[2] * p[2]);
  const e = mod((p[0] + p[1]) * (p[0] + p[1]) - a - b);
  const g = b - a;
  const f = g - c;
  const h = -a - b;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

let baseTable: Point[] | null = null;

/** B·2^i for i < 256, computed on first use. */
function powersOfBase(): Point[] {
  if (baseTable === null) {
    baseTable = [BASE];
    for (let i = 1; i < 256; i++) baseTable.push(double(baseTable[i - 1]));
  }
  return baseTable;
}

/** k·B for 0 ≤ k < 2^256 (k need not be reduced). */
function multiplyBase(k: bigint): Point {
  const table = powersOfBase();
  let result = IDENTITY;
  for (let i = 0; k > 0n; i++, k >>= 1n) {
    if (k & 1n) result = add(result, table[i]);
  }
  return result;
}

/** Little-endian bytes to an integer. */
export function bytesToInteger(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/** An integer below 2^256 to 32 little-endian bytes. */
export function integerToBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

/** `n mod L`. */
export function reduceScalar(n: bigint): bigint {
  return mod(n, L);
}

/** The 32-byte encoding of k·B (y with the sign of x in the top bit). */
export function encodeBaseMultiple(k: bigint): Uint8Array {
  const [x, y, z] = multiplyBase(k);
  const zInv = invert(z);
  const out = integerToBytes(mod(y * zInv));
  if (mod(x * zInv) & 1n) out[31] |= 0x80;
  return out;
}
