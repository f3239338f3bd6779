// Before ONNX Runtime loads: no telemetry leaves the box.
import '../no-telemetry.js';
import ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import { EdgeError } from '../errors.js';
import { loadCard, requiredIo, type ModelCard } from './card.js';
import type { PcaParams } from './fit.js';

/** One row of a scoring batch: an asset's learned parameters and its current feature vector. */
export interface BatchRow {
  params: PcaParams;
  x: Float32Array;
}

export interface BatchResult {
  scores: Float32Array;
  /** Standardised features, B × Fmax row-major (pca-scorer only; else empty). */
  z: Float32Array;
  fmax: number;
}

/** Grow-only scratch arrays so a batch allocates tensors' views, not new buffers, in the steady state. */
class Scratch {
  private buf = new Float32Array(0);
  take(n: number): Float32Array {
    if (this.buf.length < n) this.buf = new Float32Array(Math.max(n, this.buf.length * 2));
    return this.buf.subarray(0, n);
  }
}

/**
 * The detector's ONNX Runtime session. Created from a model card at start-up
 * (card, sha256, real input/output names and types are all checked then);
 * scores a whole batch of assets in one call.
 */
export class ModelRunner {
  private session: ort.InferenceSession | undefined;
  private readonly s = { x: new Scratch(), mu: new Scratch(), sd: new Scratch(), P: new Scratch(), lam: new Scratch(), w: new Scratch() };
  card!: ModelCard;
  provider = 'cpu';

  constructor(
    private readonly cardPath: string,
    private readonly opts: { threads: number; executionProviders: string[] },
    private readonly log: Logger,
  ) {}

  get id(): string {
    return `${this.card.name}@${this.card.version}`;
  }

  async start(): Promise<void> {
    const card = loadCard(this.cardPath);
    this.card = card;
    const providers = [...this.opts.executionProviders];
    if (!providers.includes('cpu')) providers.push('cpu');
    let lastErr: unknown;
    for (let i = 0; i < providers.length; i++) {
      const ep = providers[i]!;
      try {
        this.session = await ort.InferenceSession.create(card.bytes, {
          executionProviders: [ep],
          intraOpNumThreads: this.opts.threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
        });
        this.provider = ep;
        if (i > 0) this.log.warn({ wanted: providers[0], using: ep }, 'execution provider unavailable; fell back');
        break;
      } catch (err) {
        lastErr = err;
        this.log.warn({ ep, err: (err as Error).message }, 'execution provider failed to load');
      }
    }
    if (!this.session)
      throw new EdgeError('E_MODEL_LOAD', `model ${card.file} does not load in ONNX Runtime: ${(lastErr as Error)?.message}`);
    this.checkIo(card);
    this.log.info({ model: this.id, provider: this.provider, kind: card.kind }, 'detector model loaded');
  }

  private checkIo(card: ModelCard): void {
    const s = this.session!;
    const req = requiredIo(card.kind);
    for (const n of req.inputs)
      if (!s.inputNames.includes(n))
        throw new EdgeError('E_MODEL_SHAPE', `model ${card.file} has no input "${n}" (has ${s.inputNames.join(', ')})`);
    for (const n of req.outputs)
      if (!s.outputNames.includes(n))
        throw new EdgeError('E_MODEL_SHAPE', `model ${card.file} has no output "${n}" (has ${s.outputNames.join(', ')})`);
    // Every input the graph needs must be one the card (and so the feeder) knows, or the first batch would fail.
    const declared = new Set(card.inputs.map((i) => i.name));
    for (const n of s.inputNames)
      if (!declared.has(n))
        throw new EdgeError(
          'E_MODEL_SHAPE',
          `model ${card.file} needs input "${n}", which its card does not describe (card has ${[...declared].join(', ')})`,
        );
    if (card.kind === 'feature-scorer' && s.inputNames.length !== 1)
      throw new EdgeError(
        'E_MODEL_SHAPE',
        `model ${card.file}: a feature-scorer takes exactly one input "x"; the graph takes ${s.inputNames.join(', ')}`,
      );
    const meta =
      (s as unknown as { inputMetadata?: Array<{ name: string; isTensor: boolean; type?: string; shape?: unknown[] }> }).inputMetadata ??
      [];
    for (const m of meta) {
      if (req.inputs.includes(m.name) && m.isTensor && m.type !== 'float32') {
        throw new EdgeError('E_MODEL_SHAPE', `model ${card.file} input "${m.name}" is ${m.type}, expected float32`);
      }
    }
    const want = Object.fromEntries(card.inputs.map((i) => [i.name, i.shape.length]));
    for (const m of meta) {
      if (want[m.name] !== undefined && Array.isArray(m.shape) && m.shape.length !== want[m.name]) {
        throw new EdgeError('E_MODEL_SHAPE', `model ${card.file} input "${m.name}" has rank ${m.shape.length}, card says ${want[m.name]}`);
      }
    }
  }

  /** Scores a batch; rows may have different feature counts (padded with neutral values). */
  async score(rows: BatchRow[]): Promise<BatchResult> {
    const session = this.session;
    if (!session) throw new EdgeError('E_MODEL_LOAD', 'model not started');
    const B = rows.length;
    let F = 1;
    let K = 1;
    for (const r of rows) {
      if (r.params.F > F) F = r.params.F;
      if (r.params.K > K) K = r.params.K;
    }
    const x = this.s.x.take(B * F).fill(0);
    if (this.card.kind === 'feature-scorer') {
      for (let b = 0; b < B; b++) {
        const { params: p, x: xi } = rows[b]!;
        for (let f = 0; f < p.F; f++) x[b * F + f] = (xi[f]! - p.mu[f]!) / p.sd[f]!;
      }
      const out = await session.run({ x: new ort.Tensor('float32', x, [B, F]) });
      const scores = Float32Array.from(out['score']!.data as Float32Array);
      disposeAll(out);
      return { scores, z: x.slice(), fmax: F };
    }
    const mu = this.s.mu.take(B * F).fill(0);
    const sd = this.s.sd.take(B * F).fill(1);
    const P = this.s.P.take(B * F * K).fill(0);
    const lam = this.s.lam.take(B * K).fill(1);
    const w = this.s.w.take(B * 2);
    for (let b = 0; b < B; b++) {
      const { params: p, x: xi } = rows[b]!;
      x.set(xi.subarray(0, p.F), b * F);
      mu.set(p.mu, b * F);
      sd.set(p.sd, b * F);
      for (let f = 0; f < p.F; f++) for (let k = 0; k < p.K; k++) P[b * F * K + f * K + k] = p.P[f * p.K + k]!;
      lam.set(p.lam, b * K);
      w[b * 2] = p.w[0]!;
      w[b * 2 + 1] = p.w[1]!;
    }
    const feeds = {
      x: new ort.Tensor('float32', x, [B, F]),
      mu: new ort.Tensor('float32', mu, [B, F]),
      sd: new ort.Tensor('float32', sd, [B, F]),
      P: new ort.Tensor('float32', P, [B, F, K]),
      lam: new ort.Tensor('float32', lam, [B, K]),
      w: new ort.Tensor('float32', w, [B, 2]),
    };
    const out = await session.run(feeds, ['score', 'z']);
    const scores = Float32Array.from(out['score']!.data as Float32Array);
    const z = Float32Array.from(out['z']!.data as Float32Array);
    disposeAll(out);
    return { scores, z, fmax: F };
  }

  async stop(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await s.release();
  }
}

function disposeAll(out: Record<string, ort.Tensor>): void {
  for (const t of Object.values(out)) t.dispose?.();
}
