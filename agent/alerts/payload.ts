/**
 * From a lifecycle transition to what the explainer sees (AlertFacts) and
 * to the v1 payload stored in the outbox.
 */
import type { Config } from '../config/schema.js';
import type { Explainer, Summary } from '../explain/explainer.js';
import { NORMAL_BAND_Z } from '../explain/format.js';
import type { AlertFacts, Driver, SignalEvidence } from '../types.js';
import type { Transition } from './lifecycle.js';
import type { Alert, AlertEvidence, StoredAlert } from './schema.js';

/** The part of the explainer contract alerting uses: never rejects, resolves within the budget. */
export type SummaryExplainer = Pick<Explainer, 'explain'>;
export type { Summary };

/** Identity of the sender, stamped on every alert. */
export interface AlertOrigin {
  site: string;
  agentId: string;
  agentVersion: string;
}

// Non-finite numbers are not JSON; the schema refuses them, so map them here.
const fin = (x: number): number => (Number.isFinite(x) ? x : 0);

function unitOf(e: SignalEvidence, cfg: Config): string {
  return e.unit ?? cfg.assets.units[e.signal] ?? '';
}

/** The facts a summary may state, built only from the transition. */
export function buildFacts(t: Transition, cfg: Config): AlertFacts {
  // Moved: the signals the diagnosis names, then any other signal outside its normal band (most deviant first).
  // A signal inside its band is steady, so "stayed normal" is always true of it.
  const named = new Set(t.diagnosis.signals);
  const outside = t.evidence
    .filter((e) => !named.has(e.signal) && Math.abs(fin(e.z)) >= NORMAL_BAND_Z)
    .sort((a, b) => Math.abs(fin(b.z)) - Math.abs(fin(a.z)))
    .map((e) => e.signal);
  const movedNames = [...t.diagnosis.signals, ...outside];
  const byName = new Map(t.evidence.map((e) => [e.signal, e]));
  const moved = movedNames.flatMap((name) => {
    const e = byName.get(name);
    if (!e) return [];
    return [
      {
        name,
        unit: unitOf(e, cfg),
        value: fin(e.value),
        baseline: fin(e.baseline),
        ratio: telling(e.ratio),
        z: fin(e.z),
        direction: e.z >= 0 ? ('up' as const) : ('down' as const),
      },
    ];
  });
  return {
    asset: t.asset,
    assetKind: cfg.assets.overrides[t.asset]?.kind ?? cfg.assets.defaults.kind,
    site: cfg.agent.site,
    state: t.state,
    severity: t.severity,
    pattern: t.diagnosis.pattern,
    durationS: Math.max(0, (t.lastSeen - t.firstSeen) / 1000),
    moved,
    steady: t.evidence.filter((e) => !movedNames.includes(e.signal)).map((e) => e.signal),
    ...(t.stale ? { stale: t.stale } : {}),
  };
}

/** A ratio is only worth saying when it reads as more than "1.0x" (temperatures near their normal read 1.0x). */
function telling(r: number | null): number | null {
  return r !== null && Number.isFinite(r) && Math.abs(r - 1) >= 0.05 ? r : null;
}

function evidenceOf(e: SignalEvidence, cfg: Config): AlertEvidence {
  return {
    signal: e.signal,
    unit: unitOf(e, cfg),
    value: fin(e.value),
    baseline: fin(e.baseline),
    spread: fin(e.spread),
    // toPrecision trims float noise (60.2 − 60 = 0.20000000000000284) from a figure people read.
    deviation: fin(Number((e.value - e.baseline).toPrecision(12))),
    z: fin(e.z),
    ratio: e.ratio !== null && Number.isFinite(e.ratio) ? e.ratio : null,
  };
}

/** The driver as the payload carries it: finite numbers only, bounded lists. */
function driverOf(d: Driver): NonNullable<Alert['diagnosis']['driver']> {
  return {
    kind: d.kind,
    ...(d.signal !== undefined ? { signal: d.signal.slice(0, 128) } : {}),
    ...(d.feature !== undefined ? { feature: d.feature } : {}),
    ...(d.partners ? { partners: d.partners.slice(0, 8) } : {}),
    ...(d.expected !== undefined && Number.isFinite(d.expected) ? { expected: d.expected } : {}),
    ...(d.z !== undefined && Number.isFinite(d.z) ? { z: d.z } : {}),
  };
}

const iso = (ms: number): string => new Date(Number.isFinite(ms) ? ms : 0).toISOString();

/** The stored (send-time fields not yet filled) v1 alert of a transition. */
export function buildStoredAlert(t: Transition, summary: Summary, cfg: Config, origin: AlertOrigin): StoredAlert {
  return {
    v: 1,
    // One id per transition, fixed before the first attempt: every retry carries it.
    id: `${t.alertId}:${t.seq}`,
    alertId: t.alertId,
    seq: t.seq,
    asset: t.asset,
    site: origin.site,
    state: t.state,
    severity: t.severity,
    firstSeen: iso(t.firstSeen),
    lastSeen: iso(t.lastSeen),
    score: fin(t.score),
    threshold: fin(t.threshold),
    evidence: t.evidence.slice(0, 64).map((e) => evidenceOf(e, cfg)),
    diagnosis: {
      pattern: t.diagnosis.pattern,
      signals: t.diagnosis.signals.slice(0, 64),
      confidence: Math.min(1, Math.max(0, fin(t.diagnosis.confidence))),
      ...(t.diagnosis.driver ? { driver: driverOf(t.diagnosis.driver) } : {}),
    },
    summary,
    agentId: origin.agentId,
    agentVersion: origin.agentVersion,
    ...(t.stale
      ? { stale: { reason: t.stale.reason, lastSeen: iso(t.stale.lastSeen), silentS: Math.round(t.stale.silentS * 10) / 10 } }
      : {}),
  };
}

/**
 * The facts of a v1 alert payload, through the same builder the alert
 * manager uses (the payload is turned back into its lifecycle transition),
 * so a summary written here states exactly what one written there would.
 */
export function factsFromAlert(a: Alert, config: Config): AlertFacts {
  const t: Transition = {
    state: a.state,
    asset: a.asset,
    alertId: a.alertId,
    seq: a.seq,
    firstSeen: Date.parse(a.firstSeen),
    lastSeen: Date.parse(a.lastSeen),
    severity: a.severity,
    score: a.score,
    threshold: a.threshold,
    evidence: a.evidence.map((e) => ({
      signal: e.signal,
      unit: e.unit || undefined,
      value: e.value,
      baseline: e.baseline,
      spread: e.spread,
      z: e.z,
      ratio: e.ratio,
    })),
    diagnosis: a.diagnosis,
    ...(a.stale ? { stale: { reason: a.stale.reason, lastSeen: Date.parse(a.stale.lastSeen), silentS: a.stale.silentS } } : {}),
  };
  return { ...buildFacts(t, config), site: a.site };
}
