/**
 * Whether a captured Sparkplug message is one this agent's edge node could
 * have sent: one of its message types, a payload that decodes, and only the
 * metrics it declares (bdSeq, the node control and health metrics, the
 * device alert metrics). For sovereignty checks: a raw sample or a feature
 * vector has no metric name here, so it cannot pass.
 */
import { decodePayload, NAMESPACE } from '../../sparkplug/codec.js';
import { errMessage } from '../../errors.js';
import { REBIRTH_METRIC } from './edge-node.js';
import { DEVICE_METRICS } from './metrics.js';

const DEVICE_NAMES = new Set<string>(DEVICE_METRICS.map(([n]) => n));
const NODE_TYPES = new Set(['NBIRTH', 'NDATA', 'NDEATH']);
const DEVICE_TYPES = new Set(['DBIRTH', 'DDATA', 'DDEATH']);

export function classifySparkplugMessage(topic: string, payload: Buffer): { ok: true; type: string } | { ok: false; reason: string } {
  const [ns, , type, , device, ...rest] = topic.split('/');
  if (ns !== NAMESPACE || !type || rest.length > 0) return { ok: false, reason: `not an edge node topic: ${topic}` };
  const isDevice = device !== undefined;
  if (!(isDevice ? DEVICE_TYPES : NODE_TYPES).has(type)) return { ok: false, reason: `${type} is not sent by this edge node` };
  let metrics;
  try {
    metrics = decodePayload(payload).metrics ?? [];
  } catch (err) {
    return { ok: false, reason: `payload does not decode: ${errMessage(err)}` };
  }
  for (const m of metrics) {
    // Data messages carry aliases only; their names were declared (and checked) in the birth.
    if (m.name === undefined || m.name === null) {
      if (type === 'NBIRTH' || type === 'DBIRTH' || type === 'NDEATH') return { ok: false, reason: `${type} metric without a name` };
      continue;
    }
    const known = isDevice ? DEVICE_NAMES.has(m.name) : m.name === 'bdSeq' || m.name === REBIRTH_METRIC || m.name.startsWith('Health/');
    if (!known) return { ok: false, reason: `unknown metric ${JSON.stringify(m.name)} in ${type}` };
    if (typeof m.value === 'string' && m.name.startsWith('Health/') && !/^(ok|degraded|down)( \([a-z_]+\))?$/.test(m.value)) {
      return { ok: false, reason: `health metric ${m.name} carries free text` };
    }
  }
  return { ok: true, type };
}
