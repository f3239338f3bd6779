import { SPARKPLUG_REASONS } from '../ingest/sparkplug/reasons.js';
import { LatencyHistogram } from './histogram.js';

/** The plain counters, in their order in the shared array. */
const COUNTERS = [
  'messagesIn',
  'samplesIn',
  'decodeErrors',
  'unmapped',
  'decisions',
  'modelDecisions',
  'fallbackDecisions',
  'anomalies',
  'deadlineMisses',
  'lateModelResults',
  'modelErrors',
  'firstDecisionAt',
  'tripsFired',
  'tripsFailed',
  /** Shed by the hot thread when the main thread fell behind (agent/hot/ports.ts), and what the main thread took. */
  'decisionsShed',
  'samplesShed',
  'decisionsConsumed',
  'samplesConsumed',
  /** Garbage collections on the hot path's thread (minor = scavenges) and their total pause, ms. */
  'gcMinor',
  'gcMajor',
  'gcMs',
] as const;
const REJECTED = ['nonFinite', 'late', 'duplicate', 'unknownSignal', 'future', 'assetLimit', 'signalLimit'] as const;
const SCANS = ['complete', 'message', 'repeat', 'leader', 'timer'] as const;
const SLOTS = COUNTERS.length + REJECTED.length + SCANS.length + SPARKPLUG_REASONS.length;
const HIST_BYTES = LatencyHistogram.BYTES;

type Group<K extends string> = Record<K, number>;

/** Accessors over `arr[offset + i]` for each key: `group.key++` works and lands in the (shared) array. */
function group<K extends string>(keys: readonly K[], arr: Float64Array, offset: number): Group<K> {
  const g = {} as Group<K>;
  keys.forEach((k, i) => {
    Object.defineProperty(g, k, {
      enumerable: true,
      get: () => arr[offset + i]!,
      set: (v: number) => {
        arr[offset + i] = v;
      },
    });
  });
  return g;
}

/**
 * The hot path's counters and latency histograms: plain numbers bumped on the
 * hot path (a field increment, no label lookup); /metrics, /healthz and the
 * uplink's health read them. Backed by one buffer, which may be a
 * SharedArrayBuffer: the hot thread (agent/hot/) writes it and the main
 * thread reads the same memory, with no message per update (a read may see a
 * counter one increment old; nothing depends on two of them agreeing).
 */
export class AgentStats {
  // The counters: accessors over the buffer, defined in the constructor (COUNTERS, in this order).
  declare messagesIn: number;
  declare samplesIn: number;
  declare decodeErrors: number;
  declare unmapped: number;
  /** One per scan. */
  declare decisions: number;
  declare modelDecisions: number;
  declare fallbackDecisions: number;
  declare anomalies: number;
  declare deadlineMisses: number;
  /** Model results that arrived after their scans were decided by the fallback. */
  declare lateModelResults: number;
  declare modelErrors: number;
  declare firstDecisionAt: number;
  /** Local-action trips handed to the plant broker, and trips whose publish threw. */
  declare tripsFired: number;
  declare tripsFailed: number;
  declare decisionsShed: number;
  declare samplesShed: number;
  declare decisionsConsumed: number;
  declare samplesConsumed: number;
  declare gcMinor: number;
  declare gcMajor: number;
  declare gcMs: number;
  /** Size of the buffer an AgentStats needs, bytes. */
  static readonly BYTES = SLOTS * 8 + 3 * HIST_BYTES;
  readonly buffer: ArrayBufferLike;
  /** Samples rejected by the window stage, by reason. */
  readonly rejected: Group<(typeof REJECTED)[number]>;
  /** Closed asset scans, by what closed them (docs/architecture.md, "Scans"). */
  readonly scans: Group<(typeof SCANS)[number]>;
  /** Sparkplug B host events by reason (births, deaths, seq gaps, unknown aliases, rebirth requests, ...; docs/fleet.md). */
  readonly sparkplug: Group<(typeof SPARKPLUG_REASONS)[number]>;
  /** Scan close → decision latency (the deadline's clock), µs. */
  readonly latency: LatencyHistogram;
  /** First value of a scan → decision, µs. */
  readonly scanLatency: LatencyHistogram;
  /** ONNX Runtime call duration per batch, µs. */
  readonly modelCall: LatencyHistogram;
  readonly startedAt = Date.now();

  /** A fresh set, or a view of `buffer` (another thread's stats, shared). */
  constructor(buffer: ArrayBufferLike = new ArrayBuffer(AgentStats.BYTES)) {
    if (buffer.byteLength < AgentStats.BYTES) throw new RangeError(`stats buffer of ${buffer.byteLength} bytes, need ${AgentStats.BYTES}`);
    this.buffer = buffer;
    const c = new Float64Array(buffer, 0, SLOTS);
    Object.defineProperties(this, Object.getOwnPropertyDescriptors(group(COUNTERS, c, 0)));
    this.rejected = group(REJECTED, c, COUNTERS.length);
    this.scans = group(SCANS, c, COUNTERS.length + REJECTED.length);
    this.sparkplug = group(SPARKPLUG_REASONS, c, COUNTERS.length + REJECTED.length + SCANS.length);
    this.latency = new LatencyHistogram(buffer, SLOTS * 8);
    this.scanLatency = new LatencyHistogram(buffer, SLOTS * 8 + HIST_BYTES);
    this.modelCall = new LatencyHistogram(buffer, SLOTS * 8 + 2 * HIST_BYTES);
  }

  /** Stats backed by a new SharedArrayBuffer (the hot thread's, readable from the main thread). */
  static shared(): AgentStats {
    return new AgentStats(new SharedArrayBuffer(AgentStats.BYTES));
  }
}
