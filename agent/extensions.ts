import { createAlerting, type AlertStore } from './alerts/index.js';
import type { AssetAlertState } from './alerts/lifecycle.js';
import type { StoredAlert } from './alerts/schema.js';
import type { Extension, Service } from './controller.js';
import { errMessage, isEdgeError } from './errors.js';
import { factsFromAlert } from './alerts/payload.js';
import { DigestCollector, digestMessage } from './explain/digest.js';
import { createExplainer } from './explain/explainer.js';
import { createHistory } from './history/index.js';
import { watchOutbox } from './observe/outbox-health.js';
import { createStateStore } from './persist/store.js';
import { createUplink } from './uplink/index.js';

/**
 * Alert summaries, the state store, the alert lifecycle and the upstream
 * uplink: one stack. The store (persist/) owns the database; alerting writes
 * through it and the uplink reads and acknowledges its outbox, so neither
 * knows the other. Start order explain → store → alerts → uplink; the
 * controller stops in reverse.
 */
export const alertingStack: Extension = (ctx) => {
  const { config: cfg, log, bus, stateDir, agentId, version, stats, health } = ctx;
  const signals = Object.keys(cfg.assets.units);
  const explainer = createExplainer(cfg.explain, log, {
    knownSignals: signals,
    onWorkerState: (ok, message) =>
      ok ? health.clear('explain', 'worker', message) : health.set('explain', 'worker', 'degraded', 'explain_worker_down', message),
  });
  const store: AlertStore = createStateStore<StoredAlert, AssetAlertState>(cfg, stateDir, log, health);
  // Overflow also goes on the bus, so local history records which alert was dropped.
  store.outbox.onOverflow((e) =>
    bus.emit('health', {
      kind: 'outbox_overflow',
      asset: e.asset,
      ok: false,
      message: `outbox full (${cfg.uplink.outbox.overflow}): ${e.action} alert ${e.id} (${e.state})`,
    }),
  );
  const alerting = createAlerting(cfg, { log, bus, explainer, store, agentId, version, publishLocal: ctx.publishLocal });
  // A Sparkplug node or device died: nobody knows whether its faults are still there (alerts.onSilence: resolve or flag).
  bus.on('stale', (e) => {
    const silentS = Math.max(0, (Date.now() - e.lastSeen) / 1000);
    for (const a of e.assets) alerting.resolveStale(a, { reason: e.reason, lastSeen: e.lastSeen, silentS });
  });
  const services: Service[] = [
    {
      name: 'explain',
      start: async () => {
        health.register('explain', cfg.explain.mode === 'lm' ? 'language model loaded' : 'template summaries (explain.mode: template)');
        try {
          await explainer.start();
        } catch (err) {
          // A missing or corrupt language model must not stop detection: alerts keep template summaries.
          if (!isEdgeError(err, 'E_LM')) throw err;
          health.set('explain', 'model', 'degraded', 'explain_model_unavailable', `${errMessage(err)}; summaries use templates`);
        }
      },
      stop: () => explainer.stop(),
      health: () => ({ ...explainer.stats() }),
    },
    {
      name: 'state',
      start: async () => {
        store.start();
        if (cfg.uplink.enabled) watchOutbox(health, store.outbox, cfg.observe.health.outboxFill);
      },
      stop: async () => store.stop(),
      health: () => ({ file: store.file, volatile: store.volatile, moves: { ...store.moves }, outbox: store.outbox.stats() }),
    },
  ];
  // Alert storms: one digest sentence over the alerts opened within explain.digest.windowS, on the bus and upstream.
  let sendDigest: ((d: ReturnType<typeof digestMessage>) => void) | undefined;
  const digests = new DigestCollector(cfg.explain.digest.windowS, cfg.explain.digest.minAssets, (d) => {
    const msg = digestMessage(d, cfg.agent.site, agentId);
    bus.emit('digest', msg);
    sendDigest?.(msg);
  });
  bus.on('alert', (e) => {
    if (e.state === 'open') digests.add(factsFromAlert(e.payload, cfg));
  });
  services.push({
    name: 'alerts',
    start: () => alerting.start(),
    stop: async () => {
      digests.stop();
      await alerting.stop();
    },
    health: () => ({ ...alerting.stats(), ...digests.counters }),
  });
  if (cfg.uplink.enabled) {
    const uplink = createUplink(cfg, {
      log,
      stateDir,
      agentId,
      version,
      outbox: store.outbox,
      volatile: () => store.volatile,
      alertCounts: () => {
        const a = alerting.stats();
        return { open: a.open, opened: a.opened, resolved: a.resolved, suppressed: a.suppressedCooldown + a.suppressedRate };
      },
      health,
      versions: ctx.versions,
      assets: () => ctx.pipeline.phases().map((p) => p.asset),
      healthMetrics: () => ({
        samples_in: stats.samplesIn,
        decisions: stats.decisions,
        deadline_misses: stats.deadlineMisses,
        decode_errors: stats.decodeErrors,
      }),
    });
    sendDigest = (m) => uplink.publishDigest?.(m);
    services.push({
      name: 'uplink',
      start: () => uplink.start(),
      stop: () => uplink.stop(),
      health: () => ({ ...uplink.stats(), ...uplink.health() }),
    });
  }
  return services;
};

/** The stages that plug into the core through the AgentContext seam. History first: it starts before alerts and stops after them. */
export function defaultExtensions(): Extension[] {
  return [createHistory, alertingStack];
}
