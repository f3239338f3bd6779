/**
 * From bus events to InfluxDB points. The layout (documented in
 * docs/history.md) keeps tag cardinality bounded: tags are only names from
 * the config or small enums (asset, signal, source, state, severity, pattern,
 * kind); every number and free text is a field.
 */
import type { IPoint } from 'influx';
import type { EventMap } from '../events.js';
import type { Decision, Sample } from '../types.js';

/** Measurement names, one place. */
export const M = {
  sample: 'sample',
  score: 'score',
  detection: 'detection',
  alert: 'alert',
  phase: 'phase',
  health: 'health',
} as const;

/** `sample`: tags asset, signal; field value (raw) — or value (mean), min, max, n when downsampled. */
export function samplePoint(s: Sample): IPoint {
  return { measurement: M.sample, tags: { asset: s.asset, signal: s.signal }, fields: { value: s.value }, timestamp: s.ts };
}

/** `score`: every detecting-phase decision. Tags asset, source; fields score, threshold, anomalous, latency_us, deadline_missed. */
export function scorePoint(d: Decision): IPoint {
  return {
    measurement: M.score,
    tags: { asset: d.asset, source: d.source },
    fields: {
      score: finite(d.score),
      threshold: finite(d.threshold),
      anomalous: d.anomalous,
      latency_us: Math.round(d.latencyUs),
      deadline_missed: d.deadlineMissed,
    },
    timestamp: d.ts,
  };
}

/** `detection`: anomalous decisions. Tags asset, source, pattern; fields score, threshold, confidence, signals, top_signal, top_z. */
export function detectionPoint(d: Decision): IPoint {
  const top = d.evidence?.find((e) => e.signal === d.diagnosis?.signals[0]) ?? d.evidence?.[0];
  return {
    measurement: M.detection,
    tags: { asset: d.asset, source: d.source, pattern: d.diagnosis?.pattern ?? 'unknown' },
    fields: {
      score: finite(d.score),
      threshold: finite(d.threshold),
      confidence: d.diagnosis?.confidence ?? 0,
      signals: (d.diagnosis?.signals ?? []).join(','),
      top_signal: top?.signal ?? '',
      top_z: finite(top?.z ?? 0),
    },
    timestamp: d.ts,
  };
}

/** `alert`: every lifecycle transition. Tags asset, state, severity, pattern; fields alert_id, id, seq, score, threshold, summary, summary_source. */
export function alertPoint(e: EventMap['alert'], now: number): IPoint {
  const p = e.payload;
  const last = Date.parse(p.lastSeen);
  return {
    measurement: M.alert,
    tags: { asset: e.asset, state: e.state, severity: p.severity, pattern: p.diagnosis.pattern },
    fields: {
      alert_id: p.alertId,
      id: p.id,
      seq: p.seq,
      score: finite(p.score),
      threshold: finite(p.threshold),
      summary: p.summary.text,
      summary_source: p.summary.source,
    },
    // The episode's latest anomalous sample time lines the alert up with its scores.
    timestamp: Number.isFinite(last) ? last : now,
  };
}

export function phasePoint(e: EventMap['phase'], now: number): IPoint {
  return { measurement: M.phase, tags: { asset: e.asset }, fields: { phase: e.phase, samples: e.samples }, timestamp: now };
}

export function healthPoint(e: EventMap['health'], now: number): IPoint {
  return {
    measurement: M.health,
    tags: e.asset ? { kind: e.kind, asset: e.asset } : { kind: e.kind },
    fields: { ok: e.ok, message: e.message },
    timestamp: now,
  };
}

// InfluxDB 1.x rejects NaN/Infinity in line protocol; an infinite threshold (not yet fitted) is stored as -1.
function finite(x: number): number {
  return Number.isFinite(x) ? x : -1;
}
