import { LatencyHistogram } from './histogram.js';

/**
 * Plain counters bumped on the hot path (a field increment, no label lookup);
 * the metrics endpoint reads them at scrape time.
 */
export class AgentStats {
  messagesIn = 0;
  samplesIn = 0;
  decodeErrors = 0;
  unmapped = 0;
  /** Samples rejected by the window stage, by reason. */
  readonly rejected = { nonFinite: 0, late: 0, duplicate: 0, unknownSignal: 0, future: 0 };
  /** Closed asset scans, by what closed them (docs/architecture.md, "Scans"). */
  readonly scans = { complete: 0, message: 0, repeat: 0, leader: 0, timer: 0 };
  /** One per scan. */
  decisions = 0;
  modelDecisions = 0;
  fallbackDecisions = 0;
  anomalies = 0;
  deadlineMisses = 0;
  /** Model results that arrived after their samples were decided by the fallback. */
  lateModelResults = 0;
  modelErrors = 0;
  /** Scan close → decision latency (the deadline's clock), µs. */
  readonly latency = new LatencyHistogram();
  /** First value of a scan → decision, µs. */
  readonly scanLatency = new LatencyHistogram();
  /** Local-action trips handed to the plant broker, and trips whose publish threw. */
  tripsFired = 0;
  tripsFailed = 0;
  /** ONNX Runtime call duration per batch, µs. */
  readonly modelCall = new LatencyHistogram();
  readonly startedAt = Date.now();
  firstDecisionAt = 0;
}
