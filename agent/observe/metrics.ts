import { Registry, Gauge, Counter, collectDefaultMetrics } from 'prom-client';
import { STATE_VALUE, type HealthRegistry } from './health.js';
import type { LatencyHistogram } from './histogram.js';
import type { AgentStats } from './stats.js';

export interface AssetPhaseSource {
  phases(): Array<{ asset: string; phase: 'learning' | 'detecting'; samples: number }>;
}

/** Extra metrics a later stage (alerts, uplink, history, explain) contributes. */
export type MetricsContributor = (reg: Registry) => void;

/** Prometheus latency buckets in µs for the latency histograms. */
const BUCKETS_US = [50, 100, 250, 500, 1000, 2000, 3000, 5000, 10_000, 50_000];

/**
 * Builds the Prometheus registry. Hot-path counters live in AgentStats as plain
 * numbers; every metric here reads them in its collect() at scrape time.
 */
export function buildRegistry(
  stats: AgentStats,
  assets: AssetPhaseSource,
  contributors: MetricsContributor[] = [],
  health?: HealthRegistry,
): Registry {
  const reg = new Registry();
  collectDefaultMetrics({ register: reg, prefix: 'edge_sentinel_process_' });
  const counter = readCounter(reg);
  counter('edge_sentinel_messages_in_total', 'MQTT messages received from the plant broker', () => stats.messagesIn);
  counter('edge_sentinel_samples_in_total', 'Decoded samples', () => stats.samplesIn);
  counter('edge_sentinel_decode_errors_total', 'Malformed payloads (dropped, counted)', () => stats.decodeErrors);
  counter('edge_sentinel_unmapped_total', 'Messages on topics no mapping matched', () => stats.unmapped);
  counter('edge_sentinel_decisions_total', 'Detection decisions (one per asset scan)', () => stats.decisions);
  counter('edge_sentinel_fallback_decisions_total', 'Decisions made by the fallback detector', () => stats.fallbackDecisions);
  counter('edge_sentinel_anomalies_total', 'Anomalous decisions', () => stats.anomalies);
  counter(
    'edge_sentinel_deadline_misses_total',
    'Scans whose model step missed the deadline (decided by the fallback)',
    () => stats.deadlineMisses,
  );
  counter('edge_sentinel_trips_total', 'Local-action trips handed to the plant broker', () => stats.tripsFired);
  counter('edge_sentinel_trip_failures_total', 'Local-action trips whose publish failed', () => stats.tripsFailed);
  counter(
    'edge_sentinel_decisions_shed_total',
    'Normal decisions the hot thread dropped because the main thread fell behind (never an anomalous one)',
    () => stats.decisionsShed,
  );
  counter(
    'edge_sentinel_samples_shed_total',
    'Raw samples for the local history dropped because the main thread fell behind',
    () => stats.samplesShed,
  );
  counter('edge_sentinel_hot_gc_minor_total', 'Minor garbage collections (scavenges) on the hot thread', () => stats.gcMinor);
  counter('edge_sentinel_hot_gc_major_total', 'Major garbage collections on the hot thread', () => stats.gcMajor);
  new Counter({
    name: 'edge_sentinel_scans_total',
    help: 'Closed asset scans by what closed them: complete, message (end of a multi-signal message), repeat, leader, timer',
    labelNames: ['close'],
    registers: [reg],
    collect() {
      this.reset();
      for (const [close, n] of Object.entries(stats.scans)) this.inc({ close }, n);
    },
  });
  counter('edge_sentinel_model_errors_total', 'ONNX Runtime call failures', () => stats.modelErrors);
  new Counter({
    name: 'edge_sentinel_rejected_samples_total',
    help: 'Samples rejected by the window stage',
    labelNames: ['reason'],
    registers: [reg],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(stats.rejected)) this.inc({ reason }, n);
    },
  });
  new Counter({
    name: 'edge_sentinel_sparkplug_events_total',
    help: 'Sparkplug B host events and values not used, by reason (docs/fleet.md)',
    labelNames: ['reason'],
    registers: [reg],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(stats.sparkplug)) this.inc({ reason }, n);
    },
  });
  new Gauge({
    name: 'edge_sentinel_asset_detecting',
    help: '1 when the asset is detecting, 0 while learning',
    labelNames: ['asset'],
    registers: [reg],
    collect() {
      this.reset();
      for (const a of assets.phases()) this.set({ asset: a.asset }, a.phase === 'detecting' ? 1 : 0);
    },
  });
  quantiles(
    reg,
    'edge_sentinel_decision_latency_quantile_us',
    'Scan close to decision latency quantiles (the deadline clock), microseconds, since start',
    stats.latency,
  );
  quantiles(
    reg,
    'edge_sentinel_scan_latency_quantile_us',
    'First value of a scan to its decision, quantiles, microseconds, since start',
    stats.scanLatency,
  );
  if (health) {
    new Gauge({
      name: 'edge_sentinel_component_status',
      help: 'Component health: 0 ok, 1 degraded, 2 down (reasons in /healthz and docs/operations.md)',
      labelNames: ['component'],
      registers: [reg],
      collect() {
        this.reset();
        for (const [component, h] of Object.entries(health.snapshot().components)) this.set({ component }, STATE_VALUE[h.state]);
      },
    });
  }
  for (const c of contributors) c(reg);
  return reg;
}

/** p50/p99/p99.9/max of a latency histogram as one gauge with a quantile label. */
function quantiles(reg: Registry, name: string, help: string, h: LatencyHistogram): void {
  new Gauge({
    name,
    help,
    labelNames: ['quantile'],
    registers: [reg],
    collect() {
      const s = h.snapshot();
      this.set({ quantile: '0.5' }, s.p50);
      this.set({ quantile: '0.99' }, s.p99);
      this.set({ quantile: '0.999' }, s.p999);
      this.set({ quantile: '1' }, s.max);
    },
  });
}

/** A counter whose value is read from a plain number at scrape time (nothing to update on the hot path). */
export function readCounter(reg: Registry): (name: string, help: string, read: () => number) => void {
  return (name, help, read) => {
    new Counter({
      name,
      help,
      registers: [reg],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
}

/** The scan close→decision and first value→decision histograms in Prometheus histogram text format (cumulative buckets). */
export function latencyHistogramText(stats: AgentStats): string {
  return (
    histogramText('edge_sentinel_decision_latency_us', 'Scan close to decision latency (the deadline clock), microseconds', stats.latency) +
    histogramText('edge_sentinel_scan_latency_us', 'First value of a scan to its decision, microseconds', stats.scanLatency)
  );
}

function histogramText(name: string, help: string, h: LatencyHistogram): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  for (const le of BUCKETS_US) lines.push(`${name}_bucket{le="${le}"} ${h.countBelow(le)}`);
  lines.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.mean * h.count}`, `${name}_count ${h.count}`);
  return lines.join('\n') + '\n';
}
