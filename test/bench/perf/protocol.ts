/**
 * IPC messages between the bench orchestrator (test/bench/perf.ts) and its
 * child processes: the load generator and the agent host.
 */

/** Start publishing `rate` samples/s for `ms` (0 = until the next command), one spike every `injectEveryMs` (0 = none). */
export interface GenRun {
  type: 'run';
  id: number;
  rate: number;
  ms: number;
  injectEveryMs: number;
}
export type ToGen = GenRun | { type: 'stop' };

/** A finished run: how many samples went out, over how long, and each injected spike as [topic, publish wall ms]. */
export interface GenDone {
  type: 'done';
  id: number;
  published: number;
  ms: number;
  injections: Array<[string, number]>;
}
export type FromGen = { type: 'ready' } | GenDone;

/** A latency histogram summary, µs. */
export interface LatencySnap {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** What the agent host reports on request. */
export interface HostSnap {
  type: 'snap';
  samplesIn: number;
  messagesIn: number;
  decisions: number;
  modelDecisions: number;
  fallbackDecisions: number;
  deadlineMisses: number;
  rejected: number;
  decodeErrors: number;
  anomalies: number;
  detecting: number;
  assets: number;
  firstDecisionAt: number;
  /** Arrival → decision (the agent's own histogram). */
  latency: LatencySnap;
  /** Payload publish time → decision, through the broker (same clock). */
  e2e: LatencySnap;
  /** ONNX Runtime call duration per batch. */
  modelCall: LatencySnap;
  /** Mean rows per model batch since the last reset. */
  meanBatch: number;
  /** Event-loop delay since the last reset, µs. */
  loopDelay: LatencySnap;
  rssMb: number;
  heapUsedMb: number;
  /** Garbage collections on the hot thread since start: minor (scavenges), major, and their pause total (ms). */
  gcMinor: number;
  gcMajor: number;
  gcMs: number;
}
export type ToHost = { type: 'snap' } | { type: 'reset' } | { type: 'stop' };
export type FromHost = { type: 'ready'; startMs: number; httpPort: number } | HostSnap | { type: 'error'; message: string };
