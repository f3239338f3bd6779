import type { TopicPattern } from '../../agent/ingest/topics.js';
import type { NodeMessage } from './red.js';

/** One value to feed the pipeline. */
export interface MsgSample {
  signal: string;
  value: number;
}

export interface MsgSamples {
  asset: string;
  ts: number;
  samples: MsgSample[];
  /** True for an object payload: the message is one scan of its asset (its end closes the scan). */
  framed: boolean;
}

/** A message that cannot be scored; the message says what to fix. */
export class SampleError extends Error {
  override readonly name = 'SampleError';
}

/**
 * The topic does not match the node's topic pattern (and msg.asset is not
 * set): the message is not scored. Returned, not thrown: the score node warns
 * once per topic and completes the message, because a broad subscription
 * (plant/#) routinely carries a few topics of another shape, possibly at rate.
 */
export interface UnmatchedTopic {
  unmatched: string;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') {
    // Numeric text only ("61.2"); other text is not a sample.
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/**
 * Reads asset, signal(s), value(s) and time from a message:
 * - asset: msg.asset, else the {asset} capture of the topic pattern, else msg.topic when there is no
 *   pattern; a topic the pattern does not match is returned as UnmatchedTopic, not scored;
 * - payload a number (or numeric text): one signal named msg.signal, the {signal} capture, or "value";
 * - payload `{value, unit?}` when the signal is named (msg.signal or the {signal} capture): that one
 *   signal, e.g. {"value": 61.2, "unit": "C"} on plant/P-101/temp (the unit is not used);
 * - payload another object: every numeric field is a signal ({temp: 61.2, rpm: 1480});
 * - time: msg.timestamp (ms epoch or ISO text), else `now`.
 * Non-finite numbers are passed on: the window stage counts and drops them, as in the daemon.
 */
export function samplesOf(msg: NodeMessage, pattern: TopicPattern | undefined, now: number): MsgSamples | UnmatchedTopic {
  const topic = typeof msg.topic === 'string' && msg.topic ? msg.topic : undefined;
  const caps = topic !== undefined ? pattern?.match(topic) : undefined;
  const named = typeof msg.asset === 'string' && msg.asset ? msg.asset : undefined;
  if (named === undefined && pattern && topic !== undefined && caps === undefined) return { unmatched: topic };
  const asset = named ?? caps?.['asset'] ?? topic;
  if (!asset) throw new SampleError('no asset: set msg.asset, or msg.topic (matched against the topic pattern)');
  const ts = timeOf(msg.timestamp, now);
  const p = msg.payload;
  const signalName = typeof msg.signal === 'string' && msg.signal ? msg.signal : caps?.['signal'];
  const single = toNumber(Buffer.isBuffer(p) ? p.toString('latin1') : p) ?? (signalName !== undefined ? valueField(p) : undefined);
  if (single !== undefined) return { asset, ts, samples: [{ signal: signalName ?? 'value', value: single }], framed: false };
  if (p !== null && typeof p === 'object' && !Array.isArray(p) && !Buffer.isBuffer(p)) {
    const samples: MsgSample[] = [];
    for (const [signal, v] of Object.entries(p as Record<string, unknown>)) {
      const n = toNumber(v);
      if (n !== undefined) samples.push({ signal, value: n });
    }
    if (samples.length === 0) throw new SampleError(`payload object of asset "${asset}" has no numeric field`);
    return { asset, ts, samples, framed: true };
  }
  throw new SampleError(`payload must be a number or an object of numbers, got ${Array.isArray(p) ? 'an array' : typeof p}`);
}

/** The number in `{"value": 61.2, "unit": "C"}`-style payloads: a numeric `value` field, other fields not numbers. */
function valueField(p: unknown): number | undefined {
  if (p === null || typeof p !== 'object' || Array.isArray(p) || Buffer.isBuffer(p)) return undefined;
  const o = p as Record<string, unknown>;
  const v = toNumber(o['value']);
  if (v === undefined) return undefined;
  // {"value": 1, "setpoint": 2} is two signals, not a value with metadata.
  for (const [k, x] of Object.entries(o)) if (k !== 'value' && typeof x === 'number') return undefined;
  return v;
}

function timeOf(t: unknown, now: number): number {
  if (typeof t === 'number' && Number.isFinite(t)) return t;
  if (typeof t === 'string') {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  return now;
}
