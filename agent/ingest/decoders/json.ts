import { DecodeError, type DecodeContext, type Decoder, type SampleEmitter } from './types.js';

export interface JsonDecoderOptions {
  /** signal name → dotted path; when absent, the topic's signal is read at `valuePath`. */
  signals?: Record<string, string> | undefined;
  valuePath: string;
  timestampPath?: string | undefined;
}

/**
 * JSON payloads: one value at `valuePath` (or a bare JSON number), or several
 * signals per message through a `signals` map; optional timestamp field
 * (ms epoch, seconds epoch below 1e11, or an ISO-8601 string). A message
 * through a `signals` map is one scan of its asset (it ends with endScan); a
 * single-value message is one signal of a scan the window assembles.
 */
export class JsonDecoder implements Decoder {
  private readonly signals: Array<[string, string[]]> | undefined;
  private readonly valuePath: string[];
  private readonly tsPath: string[] | undefined;

  constructor(opts: JsonDecoderOptions) {
    this.signals = opts.signals ? Object.entries(opts.signals).map(([k, p]) => [k, p.split('.')]) : undefined;
    this.valuePath = opts.valuePath.split('.');
    this.tsPath = opts.timestampPath?.split('.');
  }

  decode(payload: Buffer, ctx: DecodeContext, emit: SampleEmitter): void {
    if (ctx.asset === undefined) throw new DecodeError('unmapped', 'no asset for JSON payload');
    let doc: unknown;
    try {
      doc = JSON.parse(payload.toString('utf8'));
    } catch {
      throw new DecodeError('bad_json', `payload is not valid JSON: ${JSON.stringify(payload.toString('utf8', 0, 40))}`);
    }
    const ts = this.tsPath ? toMillis(get(doc, this.tsPath), ctx.arrivalMs) : ctx.arrivalMs;
    if (this.signals) {
      let found = 0;
      let bad: DecodeError | undefined;
      for (const [name, path] of this.signals) {
        const v = get(doc, path);
        if (v === undefined || v === null) continue; // a signal may be absent from some messages
        try {
          emit.sample(ctx.asset, name, toNumber(v, name), ts);
          found++;
        } catch (err) {
          // One bad field does not lose the message's good values: they make the scan, the error is counted.
          if (!(err instanceof DecodeError)) throw err;
          bad ??= err;
        }
      }
      if (found > 0) emit.endScan(ctx.asset);
      if (bad) throw bad;
      if (found === 0) throw new DecodeError('no_signals', 'none of the configured signal fields is present');
      return;
    }
    if (ctx.signal === undefined) throw new DecodeError('unmapped', 'no signal for JSON payload');
    const v = typeof doc === 'number' ? doc : get(doc, this.valuePath);
    if (v === undefined) throw new DecodeError('missing_field', `field "${this.valuePath.join('.')}" is missing`);
    emit.sample(ctx.asset, ctx.signal, toNumber(v, this.valuePath.join('.')), ts);
  }
}

function get(doc: unknown, path: string[]): unknown {
  let cur = doc;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/**
 * A short, safe description of a hostile value for an error message: never serialises a structure
 * (JSON.stringify of a deeply nested array overflows the stack; of a huge one, floods the log).
 */
function preview(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length} items`;
  if (v !== null && typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

function toNumber(v: unknown, field: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new DecodeError('not_a_number', `field "${field}" is not a finite number: ${preview(v)}`);
  return n;
}

function toMillis(v: unknown, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  throw new DecodeError('bad_timestamp', `timestamp is neither epoch nor ISO-8601: ${preview(v)}`);
}
