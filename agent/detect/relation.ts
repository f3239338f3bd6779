/**
 * Learned relations between an asset's signals, for evidence: each signal's
 * value predicted from the other signals' values by a ridge regression fitted
 * on the learning scans (standardised units). When an alert's score comes
 * from a broken correlation rather than from any signal's own level, the
 * signal furthest from what the others predict, and the signals that predict
 * it, say which relation broke (issue #13, "evidence shows what moved").
 */
const RIDGE = 0.05;
/** A relation worth naming: the other signals explain at least this share of the signal's learning variance. */
const MIN_EXPLAINED = 0.5;

/** Per signal: regression weights on the other signals (k×k row-major, zero diagonal) and the residual spread (z units). */
export interface RelationState {
  k: number;
  coef: number[];
  /** Residual standard deviation of each signal's prediction while learning (1 = the others explain nothing). */
  resSd: number[];
}

/** Fits every signal on the others from n learning rows of standardised values (n×k row-major). */
export function fitRelations(z: Float64Array, n: number, k: number): RelationState | undefined {
  if (k < 2 || n < 3 * k) return undefined;
  const c = new Float64Array(k * k);
  for (let r = 0; r < n; r++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) c[i * k + j]! += (z[r * k + i]! * z[r * k + j]!) / n;
  const coef = new Array<number>(k * k).fill(0);
  const resSd: number[] = [];
  const m = k - 1;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let s = 0; s < k; s++) {
    const others = [...Array(k).keys()].filter((j) => j !== s);
    for (let i = 0; i < m; i++) {
      b[i] = c[others[i]! * k + s]!;
      for (let j = 0; j < m; j++) a[i * m + j] = c[others[i]! * k + others[j]!]! + (i === j ? RIDGE : 0);
    }
    const w = solve(a, b, m);
    let explained = 0;
    for (let i = 0; i < m; i++) {
      coef[s * k + others[i]!] = w[i]!;
      explained += w[i]! * b[i]!;
    }
    // Residual variance of the (ridge) fit: var(s) − 2 wᵀb + wᵀCw.
    let quad = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) quad += w[i]! * w[j]! * c[others[i]! * k + others[j]!]!;
    resSd.push(Math.sqrt(Math.max(1e-6, c[s * k + s]! - 2 * explained + quad)));
  }
  return { k, coef, resSd };
}

/** The relation that broke the most: which signal, how far from its prediction (residual spreads), its predictors. */
export interface BrokenRelation {
  signal: number;
  /** Predicted standardised value. */
  expectedZ: number;
  /** (actual − predicted) / learned residual spread. */
  z: number;
  /** Predictor indices, largest learned weight first (at most 2). */
  partners: number[];
}

/** The most broken relation at standardised values `z` (length k), or undefined when no signal has a relation worth naming. */
export function brokenRelation(rel: RelationState, z: ArrayLike<number>): BrokenRelation | undefined {
  const { k, coef, resSd } = rel;
  let best: BrokenRelation | undefined;
  for (let s = 0; s < k; s++) {
    if (!(resSd[s]! <= Math.sqrt(1 - MIN_EXPLAINED))) continue;
    let pred = 0;
    for (let j = 0; j < k; j++) pred += coef[s * k + j]! * z[j]!;
    const r = (z[s]! - pred) / resSd[s]!;
    if (!Number.isFinite(r) || (best && Math.abs(r) <= Math.abs(best.z))) continue;
    const partners = [...Array(k).keys()]
      .filter((j) => j !== s && Math.abs(coef[s * k + j]!) > 0.05)
      .sort((p, q) => Math.abs(coef[s * k + q]!) - Math.abs(coef[s * k + p]!))
      .slice(0, 2);
    best = { signal: s, expectedZ: pred, z: r, partners };
  }
  return best;
}

/** Gaussian elimination with partial pivoting (small, well-conditioned ridge systems). */
function solve(a0: Float64Array, b0: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(a0);
  const b = Float64Array.from(b0);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]!) > Math.abs(a[p * n + c]!)) p = r;
    if (p !== c) {
      for (let j = 0; j < n; j++) [a[c * n + j], a[p * n + j]] = [a[p * n + j]!, a[c * n + j]!];
      [b[c], b[p]] = [b[p]!, b[c]!];
    }
    const d = a[c * n + c]! || 1e-12;
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c]! / d;
      if (f === 0) continue;
      for (let j = c; j < n; j++) a[r * n + j]! -= f * a[c * n + j]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let j = r + 1; j < n; j++) s -= a[r * n + j]! * x[j]!;
    x[r] = s / (a[r * n + r]! || 1e-12);
  }
  return x;
}
