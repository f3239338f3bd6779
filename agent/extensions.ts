import { createAlerting } from './alerts/index.js';
import type { Extension, Service } from './controller.js';
import { errMessage, isEdgeError } from './errors.js';
import { createExplainer } from './explain/explainer.js';
import { createHistory } from './history/index.js';
import { watchOutbox } from './observe/outbox-health.js';
import { createUplink } from './uplink/index.js';

/**
 * Alert summaries, the alert lifecycle and the upstream uplink: one stack,
 * since alerting needs the explainer and the uplink drains alerting's outbox.
 * Start order explain → alerts → uplink; the controller stops in reverse.
 */
export const alertingStack: Extension = (ctx) => {
  const { config: cfg, log, bus, stateDir, agentId, version, stats, health } = ctx;
  const signals = Object.keys(cfg.assets.units);
  const explainer = createExplainer(cfg.explain, log, {
    knownSignals: signals,
    onWorkerState: (ok, message) =>
      ok ? health.clear('explain', 'worker', message) : health.set('explain', 'worker', 'degraded', 'explain_worker_down', message),
  });
  const alerting = createAlerting(cfg, { log, bus, explainer, stateDir, agentId, version, publishLocal: ctx.publishLocal });
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
      name: 'alerts',
      start: async () => {
        await alerting.start();
        if (cfg.uplink.enabled) watchOutbox(health, alerting.outbox, cfg.observe.health.outboxFill);
      },
      stop: () => alerting.stop(),
      health: () => ({ ...alerting.stats() }),
    },
  ];
  if (cfg.uplink.enabled) {
    const uplink = createUplink(cfg, {
      log,
      bus,
      stateDir,
      agentId,
      version,
      alerting,
      health,
      versions: ctx.versions,
      healthMetrics: () => ({
        samples_in: stats.samplesIn,
        decisions: stats.decisions,
        deadline_misses: stats.deadlineMisses,
        decode_errors: stats.decodeErrors,
      }),
    });
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
