/**
 * The agent's component health as Sparkplug node metrics: `Health/Status`
 * (the worst state) and one `Health/<component>` per component, "ok" or
 * "<state> (<reason>)". Reason codes only: the free-text messages may name
 * files or assets and stay local, as in the JSON status.
 */
import type { HealthSnapshot } from '../../observe/health.js';
import type { NodeHealth } from './edge-node.js';

export function nodeHealth(snap: HealthSnapshot): NodeHealth {
  const out: NodeHealth = { 'Health/Status': snap.status };
  for (const [name, c] of Object.entries(snap.components)) {
    if (c) out[`Health/${name}`] = c.state === 'ok' ? 'ok' : `${c.state} (${c.reason})`;
  }
  return out;
}

/** The worst component state, as each device's `Health/Agent`. */
export function statusOf(snap: HealthSnapshot): string {
  return snap.status;
}
