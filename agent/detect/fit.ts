import { symmetricEigen } from './linalg.js';

/** The learned parameters of the PCA T²+Q scorer for one asset (the ONNX graph's inputs besides x). */
export interface PcaParams {
  F: number;
  K: number;
  mu: Float32Array;
  sd: Float32Array;
  /** F×K row-major principal axes. */
  P: Float32Array;
  lam: Float32Array;
  /** Score weights: [1/K for T², 1/mean learning Q]. */
  w: Float32Array;
}

const VARIANCE_KEPT = 0.95;

/**
 * Fits mean, spread and principal axes on the learning rows (n×F, row-major).
 * Spreads are floored relative to the level so a signal that was constant
 * while learning does not make every later wobble infinite.
 */
export function fitPca(rows: Float64Array, n: number, F: number): PcaParams {
  const mu = new Float64Array(F);
  const sd = new Float64Array(F);
  for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) mu[f]! += rows[r * F + f]! / n;
  for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) sd[f]! += (rows[r * F + f]! - mu[f]!) ** 2 / Math.max(1, n - 1);
  for (let f = 0; f < F; f++) sd[f] = Math.max(Math.sqrt(sd[f]!), 1e-3 * (Math.abs(mu[f]!) + 1e-3), 1e-6);
  const c = new Float64Array(F * F);
  const z = new Float64Array(F);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < F; f++) z[f] = (rows[r * F + f]! - mu[f]!) / sd[f]!;
    for (let i = 0; i < F; i++) for (let j = i; j < F; j++) c[i * F + j]! += (z[i]! * z[j]!) / Math.max(1, n - 1);
  }
  for (let i = 0; i < F; i++) for (let j = 0; j < i; j++) c[i * F + j] = c[j * F + i]!;
  const { values, vectors } = symmetricEigen(c, F);
  const total = values.reduce((a, b) => a + Math.max(b, 0), 0) || 1;
  let K = 0;
  let acc = 0;
  while (K < F && (acc / total < VARIANCE_KEPT || K === 0)) acc += Math.max(values[K++]!, 0);
  K = Math.max(1, Math.min(K, F - 1 || 1));
  const P = new Float32Array(F * K);
  const lam = new Float32Array(K);
  for (let k = 0; k < K; k++) {
    lam[k] = Math.max(values[k]!, 1e-3);
    for (let f = 0; f < F; f++) P[f * K + k] = vectors[f * F + k]!;
  }
  const params: PcaParams = { F, K, mu: Float32Array.from(mu), sd: Float32Array.from(sd), P, lam, w: new Float32Array([1 / K, 1]) };
  let qSum = 0;
  const out = { t2: 0, q: 0 };
  for (let r = 0; r < n; r++) {
    scorePcaJs(params, rows, r * F, out);
    qSum += out.q;
  }
  params.w[1] = 1 / Math.max(qSum / n, 1e-3);
  return params;
}

/**
 * The same maths as the ONNX graph, in JS: used to score the learning rows
 * (for the threshold fit) and to cross-check the model in tests.
 */
export function scorePcaJs(p: PcaParams, x: ArrayLike<number>, off: number, out: { t2: number; q: number }): number {
  const { F, K } = p;
  let t2 = 0;
  let q = 0;
  const t = scratch(K);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let f = 0; f < F; f++) s += ((x[off + f]! - p.mu[f]!) / p.sd[f]!) * p.P[f * K + k]!;
    t[k] = s;
    t2 += (s * s) / p.lam[k]!;
  }
  for (let f = 0; f < F; f++) {
    let rec = 0;
    for (let k = 0; k < K; k++) rec += t[k]! * p.P[f * K + k]!;
    const r = (x[off + f]! - p.mu[f]!) / p.sd[f]! - rec;
    q += r * r;
  }
  out.t2 = t2;
  out.q = q;
  return t2 * p.w[0]! + q * p.w[1]!;
}

let scratchBuf = new Float64Array(64);
function scratch(n: number): Float64Array {
  if (scratchBuf.length < n) scratchBuf = new Float64Array(n * 2);
  return scratchBuf;
}

/** Plain-object form for persistence. */
export function pcaToJson(p: PcaParams): Record<string, unknown> {
  return { F: p.F, K: p.K, mu: [...p.mu], sd: [...p.sd], P: [...p.P], lam: [...p.lam], w: [...p.w] };
}

export function pcaFromJson(o: { F: number; K: number; mu: number[]; sd: number[]; P: number[]; lam: number[]; w: number[] }): PcaParams {
  return {
    F: o.F,
    K: o.K,
    mu: Float32Array.from(o.mu),
    sd: Float32Array.from(o.sd),
    P: Float32Array.from(o.P),
    lam: Float32Array.from(o.lam),
    w: Float32Array.from(o.w),
  };
}
