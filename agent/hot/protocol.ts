/**
 * Messages between the main thread and the hot thread (agent/hot/worker.ts).
 * Counters and latency histograms are not messages: they live in a
 * SharedArrayBuffer both threads see (observe/stats.ts).
 */
import type { Config } from '../config/schema.js';
import type { Baseline } from '../detect/baseline.js';
import type { EventMap } from '../events.js';
import type { SparkplugNodeStatus } from '../ingest/sparkplug/host.js';
import type { Decision } from '../types.js';

/** What the hot thread starts with (worker_threads workerData). */
export interface HotInit {
  config: Config;
  /** The stats the main thread reads (AgentStats over a SharedArrayBuffer). */
  stats: SharedArrayBuffer;
  /** Baselines saved by earlier runs: detecting at once after a restart. */
  baselines: Baseline[];
}

/** Main → hot thread. */
export type ToHot =
  /** Connect to the plant broker and start deciding; `samples`: the main thread wants raw samples (local history). */
  | { type: 'connect'; samples: boolean }
  | { type: 'refit'; asset: string }
  /** A local action's command (alert rules run on the main thread), published on the hot thread's plant connection. */
  | { type: 'publish'; topic: string; payload: Uint8Array; qos: 0 | 1 }
  | { type: 'stop' };

/** A phase switch or learning progress of one asset. */
export interface PhaseInfo {
  asset: string;
  phase: 'learning' | 'detecting';
  samples: number;
}

/**
 * Raw samples for the local history, batched: four numbers per sample
 * (asset index, signal index, value, ts) in a transferred buffer; names of
 * indices first seen in this batch ride along.
 */
export interface SampleBatch {
  type: 'samples';
  data: Float64Array;
  count: number;
  assets: Array<[number, string]>;
  signals: Array<[number, string]>;
}

/** Hot thread → main. */
export type FromHot =
  /** The model loaded (its `name@version`); waiting for 'connect'. `tid`: the thread's kernel id; `schedule`: what detect.schedule did. */
  | { type: 'loaded'; modelLabel: string; tid: number; schedule: string | null }
  | { type: 'ready' }
  /** Decisions in order (one batch per event-loop turn of the hot thread at most). */
  | { type: 'decisions'; batch: Decision[] }
  | SampleBatch
  | { type: 'phases'; phases: PhaseInfo[] }
  | { type: 'phase'; event: EventMap['phase'] }
  | { type: 'health'; event: EventMap['health'] }
  /** A baseline learned on the hot thread, for the main thread to persist (no disk I/O on the hot thread). */
  | { type: 'baseline'; baseline: Baseline }
  /** Sparkplug edge nodes as the ingest's host sees them (sent when it changed), for /healthz. */
  | { type: 'sparkplug'; nodes: SparkplugNodeStatus[] }
  /** A Sparkplug node or device died: these assets' open alerts resolve as stale (bus `stale`). */
  | { type: 'stale'; event: EventMap['stale'] }
  /** The plant connection went up or down, or reported an error (for the health registry). */
  | { type: 'connection'; event: 'up' | 'down' | 'error'; message?: string }
  /** One pino line of the hot thread's logger; the main thread writes it through its own root logger. */
  | { type: 'log'; line: string }
  | { type: 'stopped' };
