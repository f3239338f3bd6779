/**
 * Messages between the explainer (main thread) and its worker thread.
 * Structured-clone friendly: plain objects only.
 */
import type { ErrorCode } from '../errors.js';
import type { AlertFacts } from '../types.js';
import type { AttemptOptions, AttemptTrace } from './attempt.js';
import type { ModelInfo } from './runner.js';

/** Passed as workerData when the worker starts. */
export interface WorkerInit {
  dir: string;
  threads: number;
  /** Test hook: artificial delay per generated token, ms. */
  delayMsPerToken?: number | undefined;
  /** Test hook: make every job fail ('throw') or kill the worker on the first job ('crash'). */
  fault?: 'throw' | 'crash' | undefined;
}

export type ToWorker =
  | { type: 'explain'; id: number; facts: AlertFacts; checks: string[]; options: Omit<AttemptOptions, 'delayMsPerToken'> }
  | { type: 'close' };

export type ToMain =
  | { type: 'ready'; info: ModelInfo }
  | { type: 'load-error'; message: string; code: ErrorCode }
  | { type: 'result'; id: number; text: string | null; check?: string | null; tries: AttemptTrace[]; error?: string; skipped?: boolean }
  | { type: 'fatal'; message: string };
