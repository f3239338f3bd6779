import type { HealthConfig } from '../config/sections/observe.js';
import type { EventBus, EventMap } from '../events.js';
import type { HealthReason } from './health-reasons.js';
import type { ComponentName, HealthRegistry } from './health.js';
import type { AgentStats } from './stats.js';

/**
 * `health` bus events by kind → the component and reason they report. Stages
 * that cannot see the registry (the hot path, possibly on its own thread)
 * keep emitting these; unknown kinds are ignored here (history still
 * records them).
 */
const BUS_KINDS: Record<string, { component: ComponentName; reason: HealthReason }> = {
  deadline: { component: 'hotpath', reason: 'deadline_misses' },
  // The hot thread exited and is being restarted (agent/hot/thread.ts).
  'hot-thread': { component: 'hotpath', reason: 'hotpath_stalled' },
  history: { component: 'history', reason: 'history_unreachable' },
};

/**
 * Forwards the bus's `health` events into the registry, one condition per
 * kind (+ `suffix`, when several buses report into one registry, as the
 * score nodes of one Node-RED config node do).
 */
export function bridgeBusHealth(bus: EventBus, registry: HealthRegistry, suffix = ''): () => void {
  return bus.on('health', (e: EventMap['health']) => {
    const m = BUS_KINDS[e.kind];
    if (!m) return;
    if (e.ok) registry.clear(m.component, e.kind + suffix, e.message);
    else registry.set(m.component, e.kind + suffix, 'degraded', m.reason, e.message);
  });
}

/**
 * The hot path's progress (deadline misses arrive as `health` events, see
 * bridgeBusHealth). Stalled means samples were accepted but no decision
 * came out for `stallAfterS`: the only state in which a restart helps, so
 * the systemd watchdog keys on it (an idle plant is not stalled).
 */
export function watchHotPath(registry: HealthRegistry, stats: AgentStats, cfg: HealthConfig): void {
  registry.register('hotpath');
  let lastAccepted = accepted(stats);
  let lastDecisions = stats.decisions;
  let progressAt = Date.now();
  registry.addProbe(() => {
    const now = Date.now();
    const acc = accepted(stats);
    if (stats.decisions !== lastDecisions || acc === lastAccepted) progressAt = now;
    lastAccepted = acc;
    lastDecisions = stats.decisions;
    if (now - progressAt > cfg.stallAfterS * 1000) {
      registry.set(
        'hotpath',
        'progress',
        'down',
        'hotpath_stalled',
        `samples accepted but no decision for ${Math.round((now - progressAt) / 1000)} s`,
      );
    } else registry.clear('hotpath', 'progress', 'deciding');
  });
}

/** Samples that passed the window (each one yields a decision, learning or detecting). */
function accepted(stats: AgentStats): number {
  let rejected = 0;
  for (const n of Object.values(stats.rejected)) rejected += n;
  return stats.samplesIn - rejected;
}

/** True while the hot path makes progress (the systemd watchdog's liveness check). */
export function hotPathAlive(registry: HealthRegistry): boolean {
  return !registry.has('hotpath', 'hotpath_stalled');
}
