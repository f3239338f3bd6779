/** Alerting + uplink wired as the controller will wire them, for uplink tests and the kill fixture. */
import pino, { type Logger } from 'pino';
import { createAlerting, type AlertManager, type AlertStore } from '../../../agent/alerts/index.js';
import type { AssetAlertState } from '../../../agent/alerts/lifecycle.js';
import type { Alert, StoredAlert } from '../../../agent/alerts/schema.js';
import { configSchema, type ConfigInput } from '../../../agent/config/schema.js';
import { EventBus } from '../../../agent/events.js';
import { HealthRegistry } from '../../../agent/observe/health.js';
import { createExplainer } from '../../../agent/explain/explainer.js';
import { createStateStore } from '../../../agent/persist/store.js';
import { createUplink, type UplinkService } from '../../../agent/uplink/index.js';
import type { Decision } from '../../../agent/types.js';

export interface Rig {
  health: HealthRegistry;
  store: AlertStore;
  alerting: AlertManager;
  uplink: UplinkService;
  bus: EventBus;
  /** Alerts as emitted on the local bus, in order. */
  emitted: Alert[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function makeRig(opts: { stateDir: string; brokerUrl: string; config?: ConfigInput; log?: Logger }): Rig {
  const log = opts.log ?? pino({ level: 'silent' });
  const base: ConfigInput = {
    agent: { site: 'plantA', stateDir: opts.stateDir },
    alerts: { openAfter: 2, resolveAfter: 3, cooldownS: 0, update: { minIntervalS: 0 } },
    explain: { mode: 'template', budgetMs: 200 },
    uplink: { enabled: true, broker: { url: opts.brokerUrl, reconnectMs: 100 }, healthIntervalS: 1 },
  };
  const cfg = configSchema.parse(deepMerge(base, opts.config ?? {}));
  const bus = new EventBus(log);
  const emitted: Alert[] = [];
  bus.on('alert', (a) => emitted.push(a.payload as Alert));
  const explainer = createExplainer(cfg.explain, log);
  const health = new HealthRegistry(log);
  const store = createStateStore<StoredAlert, AssetAlertState>(cfg, opts.stateDir, log, health);
  const ids = { stateDir: opts.stateDir, agentId: 'edge-1', version: '0.1.0' };
  const alerting = createAlerting(cfg, { log, bus, explainer, store, ...ids });
  const uplink = createUplink(cfg, {
    log,
    ...ids,
    outbox: store.outbox,
    volatile: () => store.volatile,
    alertCounts: () => {
      const a = alerting.stats();
      return { open: a.open, opened: a.opened, resolved: a.resolved, suppressed: a.suppressedCooldown + a.suppressedRate };
    },
    health,
  });
  return {
    health,
    store,
    alerting,
    uplink,
    bus,
    emitted,
    start: async () => {
      store.start();
      await alerting.start();
      await uplink.start();
    },
    stop: async () => {
      health.stop();
      await uplink.stop();
      await alerting.stop();
      store.stop();
    },
  };
}

/** One full episode on an asset: open (2 anomalous), escalation update, resolution (3 normal). */
export function episode(asset: string, ts: number): Decision[] {
  // Each decision is its own sample instant (20 ms apart): the lifecycle counts streaks per instant (alerts.instantMs).
  const d = (score: number, z: number, k: number): Decision => {
    const anomalous = score > 1;
    return {
      asset,
      ts: ts + k * 20,
      phase: 'detecting',
      score,
      threshold: 1,
      anomalous,
      source: 'model',
      latencyUs: 50,
      deadlineMissed: false,
      ...(anomalous
        ? {
            evidence: [
              { signal: 'vibration', unit: 'mm/s', value: 2.5 + z * 0.4, baseline: 2.5, spread: 0.4, z, ratio: (2.5 + z * 0.4) / 2.5 },
            ],
            diagnosis: { pattern: 'spike' as const, signals: ['vibration'], confidence: 0.9 },
          }
        : {}),
    };
  };
  return [d(1.2, 3, 0), d(1.2, 3, 1), d(4, 12, 2), d(0.1, 0, 3), d(0.1, 0, 4), d(0.1, 0, 5)];
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
