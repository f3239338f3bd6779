import { createAlerting } from './alerts/index.js';
import type { Extension, Service } from './controller.js';
import { createExplainer } from './explain/explainer.js';
import { createHistory } from './history/index.js';
import { createUplink } from './uplink/index.js';

/**
 * Alert summaries, the alert lifecycle and the upstream uplink: one stack,
 * since alerting needs the explainer and the uplink drains alerting's outbox.
 * Start order explain → alerts → uplink; the controller stops in reverse.
 */
export const alertingStack: Extension = (ctx) => {
  const { config: cfg, log, bus, stateDir, agentId, version, stats } = ctx;
  const signals = Object.keys(cfg.assets.units);
  const explainer = createExplainer(cfg.explain, log, { knownSignals: signals });
  const alerting = createAlerting(cfg, { log, bus, explainer, stateDir, agentId, version, publishLocal: ctx.publishLocal });
  const services: Service[] = [
    { name: 'explain', start: () => explainer.start(), stop: () => explainer.stop(), health: () => ({ ok: true, ...explainer.stats() }) },
    { name: 'alerts', start: () => alerting.start(), stop: () => alerting.stop(), health: () => ({ ok: true, ...alerting.stats() }) },
  ];
  if (cfg.uplink.enabled) {
    const uplink = createUplink(cfg, {
      log,
      bus,
      stateDir,
      agentId,
      version,
      alerting,
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
      health: () => ({ ok: true, ...uplink.health() }),
    });
  }
  return services;
};

/** The stages that plug into the core through the AgentContext seam. History first: it starts before alerts and stops after them. */
export function defaultExtensions(): Extension[] {
  return [createHistory, alertingStack];
}
