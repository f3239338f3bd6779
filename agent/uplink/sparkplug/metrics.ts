/**
 * What the agent says about each asset as a Sparkplug device: its alert
 * state (from the v1 alert of its latest transition) and the agent's health.
 * A fixed list of metrics, declared whole in every DBIRTH
 * [tck-id-topics-dbirth-metric-reqs] with a value or is_null
 * [tck-id-operational-behavior-data-publish-dbirth-values]; DDATA then
 * carries only what changed [tck-id-topics-ddata-payload].
 */
import type { UMetric } from '../../sparkplug/codec.js';
import type { StoredAlert } from '../../alerts/schema.js';

type Scalar = string | number | boolean | null;

/** Name and Sparkplug datatype of each device metric, in alias order. */
export const DEVICE_METRICS = [
  ['Alert/Active', 'Boolean'],
  ['Alert/State', 'String'],
  ['Alert/Severity', 'String'],
  ['Alert/Score', 'Double'],
  ['Alert/Threshold', 'Double'],
  ['Alert/Pattern', 'String'],
  ['Alert/Summary', 'String'],
  ['Alert/Signals', 'String'],
  ['Alert/Id', 'String'],
  ['Alert/Seq', 'UInt32'],
  ['Alert/First Seen', 'DateTime'],
  ['Alert/Replayed', 'Boolean'],
  ['Alert/Stale', 'Boolean'],
  ['Health/Agent', 'String'],
] as const;

export type DeviceMetricName = (typeof DEVICE_METRICS)[number][0];
/** A device's current metric values, by name. */
export type DeviceState = Record<DeviceMetricName, Scalar>;

/** Before its first alert: not active, nothing to say (nulls are sent as is_null). */
export function emptyDeviceState(health: string): DeviceState {
  return {
    'Alert/Active': false,
    'Alert/State': 'normal',
    'Alert/Severity': null,
    'Alert/Score': null,
    'Alert/Threshold': null,
    'Alert/Pattern': null,
    'Alert/Summary': null,
    'Alert/Signals': null,
    'Alert/Id': null,
    'Alert/Seq': null,
    'Alert/First Seen': null,
    'Alert/Replayed': false,
    'Alert/Stale': false,
    'Health/Agent': health,
  };
}

/** The alert metrics after one lifecycle transition (open, update, resolved). */
export function alertValues(a: StoredAlert, replayed: boolean): Partial<DeviceState> {
  return {
    'Alert/Active': a.state !== 'resolved',
    'Alert/State': a.state,
    'Alert/Severity': a.severity,
    'Alert/Score': a.score,
    'Alert/Threshold': a.threshold,
    'Alert/Pattern': a.diagnosis.pattern,
    'Alert/Summary': a.summary.text,
    'Alert/Signals': a.diagnosis.signals.join(','),
    'Alert/Id': a.alertId,
    'Alert/Seq': a.seq,
    'Alert/First Seen': Date.parse(a.firstSeen),
    'Alert/Replayed': replayed,
    // The asset went silent: resolved as stale (nobody knows whether the fault is still there), or flagged while open.
    'Alert/Stale': a.stale !== undefined,
  };
}

/**
 * Metrics of a device for a birth (every metric, name + alias + datatype
 * [tck-id-payloads-alias-birth-requirement, tck-id-payloads-metric-datatype-req])
 * or for data (only `changed`, alias only [tck-id-payloads-alias-data-cmd-requirement]).
 * Every metric carries the timestamp [tck-id-payloads-name-birth-data-requirement].
 */
export function deviceMetrics(state: DeviceState, aliasBase: number, ts: number, changed?: ReadonlySet<DeviceMetricName>): UMetric[] {
  const out: UMetric[] = [];
  DEVICE_METRICS.forEach(([name, type], i) => {
    if (changed && !changed.has(name)) return;
    const m: UMetric = { type, value: state[name], alias: aliasBase + i, timestamp: ts };
    if (!changed) m.name = name;
    out.push(m);
  });
  return out;
}

/** Names whose value differs between two states. */
export function diffState(before: DeviceState, after: DeviceState): Set<DeviceMetricName> {
  const out = new Set<DeviceMetricName>();
  for (const [name] of DEVICE_METRICS) if (before[name] !== after[name]) out.add(name);
  return out;
}
