/**
 * Loads a decoder-only ONNX language model in the Hugging Face Optimum layout
 * (config.json, tokenizer.json, onnx/model.onnx) and generates with a KV
 * cache. Runs inside the explain worker thread; usable directly in tests.
 * Every load problem is an EdgeError E_LM naming the file and what is wrong.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
// Before ONNX Runtime loads: no telemetry leaves the box.
import '../no-telemetry.js';
import * as ort from 'onnxruntime-node';
import { EdgeError, errMessage } from '../errors.js';
import { parseTokenizer, type Tokenizer } from './tokenizer.js';
import { rng } from '../sim/random.js';

/** What the runner learnt about a model at load. */
export interface ModelInfo {
  id: string;
  sha256: string;
  layers: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  /** True for the built-in placeholder-writing model (config edge_sentinel.delexicalised). */
  delexicalised: boolean;
  eosIds: number[];
  hasPositionIds: boolean;
}

/** Per-call generation options. */
export interface GenOptions {
  maxTokens: number;
  topK: number;
  temperature: number;
  seed: number;
  stopIds: number[];
  /** Absolute deadline on the shared clock (performance.timeOrigin + performance.now()). */
  deadline: number;
  /** Artificial delay per token, ms (tests use it to play a slow model). */
  delayMsPerToken?: number;
}

export interface GenResult {
  ids: number[];
  stoppedBy: 'stop' | 'cap' | 'budget';
}

/** Shared wall clock across worker threads. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

async function readOrFail(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new EdgeError('E_LM', `language model file ${path} cannot be read: ${errMessage(err)}`, { cause: err });
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** A loaded model: tokenizer + session + what its I/O looks like. */
export class LmRunner {
  private constructor(
    readonly info: ModelInfo,
    readonly tokenizer: Tokenizer,
    private readonly session: ort.InferenceSession,
  ) {}

  /** Load and validate a model folder; throws EdgeError E_LM on any problem. */
  static async load(dir: string, threads = 1): Promise<LmRunner> {
    const cfgText = await readOrFail(join(dir, 'config.json'));
    let cfg: Record<string, unknown>;
    try {
      cfg = JSON.parse(cfgText.toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new EdgeError('E_LM', `${join(dir, 'config.json')}: not valid JSON`, { cause: err });
    }
    const tokenizer = parseTokenizer((await readOrFail(join(dir, 'tokenizer.json'))).toString('utf8'), join(dir, 'tokenizer.json'));
    const modelPath = join(dir, 'onnx', 'model.onnx');
    const bytes = await readOrFail(modelPath);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (err) {
      throw new EdgeError('E_LM', `${modelPath}: not a loadable ONNX model (corrupt or unsupported): ${errMessage(err)}`, { cause: err });
    }
    try {
      const info = describe(session, cfg, tokenizer, dir, sha256);
      const runner = new LmRunner(info, tokenizer, session);
      // One real step now, so a model whose shapes do not fit fails at start-up, not on the first alert.
      await runner.generate([info.eosIds[0] ?? 0], { maxTokens: 1, topK: 1, temperature: 1, seed: 0, stopIds: [], deadline: Infinity });
      return runner;
    } catch (err) {
      await session.release();
      if (err instanceof EdgeError) throw err;
      throw new EdgeError('E_LM', `${modelPath}: test generation failed (wrong inputs/outputs or shapes?): ${errMessage(err)}`, {
        cause: err,
      });
    }
  }

  /** Generate after the prompt ids; never exceeds maxTokens and stops at the deadline. */
  async generate(prompt: number[], o: GenOptions): Promise<GenResult> {
    const { layers, kvHeads, headDim, hasPositionIds } = this.info;
    const rand = rng(o.seed);
    const out: number[] = [];
    let past: ort.Tensor[] = [];
    for (let i = 0; i < 2 * layers; i++) past.push(new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]));
    let cur = prompt;
    let pastLen = 0;
    for (;;) {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(cur.map(BigInt)), [1, cur.length]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(pastLen + cur.length).fill(1n), [1, pastLen + cur.length]),
      };
      if (hasPositionIds)
        feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from(cur.map((_, i) => BigInt(pastLen + i))), [1, cur.length]);
      for (let l = 0; l < layers; l++) {
        feeds[`past_key_values.${l}.key`] = past[2 * l] as ort.Tensor;
        feeds[`past_key_values.${l}.value`] = past[2 * l + 1] as ort.Tensor;
      }
      const res = await this.session.run(feeds);
      const logits = res.logits?.data as Float32Array;
      const vocab = logits.length / cur.length; // from the output itself: configs sometimes pad vocab_size
      const next = pick(logits.subarray((cur.length - 1) * vocab, cur.length * vocab), o.topK, o.temperature, rand);
      past = [];
      for (let l = 0; l < layers; l++) past.push(res[`present.${l}.key`] as ort.Tensor, res[`present.${l}.value`] as ort.Tensor);
      pastLen += cur.length;
      if (o.stopIds.includes(next) || this.info.eosIds.includes(next)) return { ids: out, stoppedBy: 'stop' };
      out.push(next);
      if (out.length >= o.maxTokens) return { ids: out, stoppedBy: 'cap' };
      if (o.delayMsPerToken) await new Promise((r) => setTimeout(r, o.delayMsPerToken));
      if (nowMs() > o.deadline) return { ids: out, stoppedBy: 'budget' };
      cur = [next];
    }
  }

  /** Release the native session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Greedy or seeded top-k choice of the next token. */
function pick(logits: Float32Array, topK: number, temperature: number, rand: () => number): number {
  if (topK <= 1) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if ((logits[i] ?? -Infinity) > (logits[best] ?? -Infinity)) best = i;
    return best;
  }
  const top: Array<[number, number]> = [];
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i] ?? -Infinity;
    if (top.length < topK || v > (top[top.length - 1]?.[1] ?? -Infinity)) {
      top.push([i, v]);
      top.sort((a, b) => b[1] - a[1]);
      if (top.length > topK) top.pop();
    }
  }
  const max = top[0]?.[1] ?? 0;
  const w = top.map(([, v]) => Math.exp((v - max) / temperature));
  let r = rand() * w.reduce((a, b) => a + b, 0);
  for (const [j, [id]] of top.entries()) {
    r -= w[j] ?? 0;
    if (r <= 0) return id;
  }
  return top[0]?.[0] ?? 0;
}

/** Check the session's I/O against the Optimum decoder-with-past layout and read its sizes. */
function describe(s: ort.InferenceSession, cfg: Record<string, unknown>, tok: Tokenizer, dir: string, sha256: string): ModelInfo {
  const where = join(dir, 'onnx', 'model.onnx');
  for (const n of ['input_ids', 'attention_mask']) {
    if (!s.inputNames.includes(n)) throw new EdgeError('E_LM', `${where}: input "${n}" missing (inputs: ${s.inputNames.join(', ')})`);
  }
  if (!s.outputNames.includes('logits'))
    throw new EdgeError('E_LM', `${where}: output "logits" missing (outputs: ${s.outputNames.join(', ')})`);
  const layers = s.inputNames.filter((n) => /^past_key_values\.\d+\.key$/.test(n)).length;
  if (layers === 0)
    throw new EdgeError(
      'E_LM',
      `${where}: no past_key_values.N.key inputs: export the model with a KV cache (Optimum "text-generation-with-past")`,
    );
  for (let l = 0; l < layers; l++) {
    for (const n of [`past_key_values.${l}.value`])
      if (!s.inputNames.includes(n)) throw new EdgeError('E_LM', `${where}: input "${n}" missing`);
    for (const n of [`present.${l}.key`, `present.${l}.value`])
      if (!s.outputNames.includes(n)) throw new EdgeError('E_LM', `${where}: output "${n}" missing`);
  }
  const meta = s.inputMetadata.find((m) => m.name === 'past_key_values.0.key');
  const shape = meta?.isTensor ? meta.shape : [];
  if (meta?.isTensor && meta.type !== 'float32')
    throw new EdgeError('E_LM', `${where}: KV cache type ${meta.type} unsupported (float32 only)`);
  const heads = num(cfg.num_attention_heads);
  const kvHeads = num(shape[1]) ?? num(cfg.num_key_value_heads) ?? heads;
  const headDim = num(shape[3]) ?? num(cfg.head_dim) ?? (heads ? (num(cfg.hidden_size) ?? 0) / heads : undefined);
  if (!kvHeads || !headDim)
    throw new EdgeError('E_LM', `${join(dir, 'config.json')}: cannot tell KV heads/head_dim (set num_key_value_heads and head_dim)`);
  const es = (cfg.edge_sentinel ?? {}) as Record<string, unknown>;
  const eos = Array.isArray(cfg.eos_token_id)
    ? cfg.eos_token_id.filter((x): x is number => typeof x === 'number')
    : [num(cfg.eos_token_id)].filter((x): x is number => x !== undefined);
  const vocab = num(cfg.vocab_size) ?? tok.vocabSize;
  const version = typeof es.version === 'string' ? es.version : 'byo';
  return {
    id: `${basename(dir)}@${version}+${sha256.slice(0, 12)}`,
    sha256,
    layers,
    kvHeads,
    headDim,
    vocab,
    delexicalised: es.delexicalised === true,
    eosIds: eos,
    hasPositionIds: s.inputNames.includes('position_ids'),
  };
}
