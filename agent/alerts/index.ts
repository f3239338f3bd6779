/**
 * Public entry of the alerts stage. The controller calls:
 *   const alerting = createAlerting(cfg, deps);
 *   const uplink = createUplink(cfg, { ...deps, alerting });
 *   await alerting.start(); await uplink.start();   // stop in mirror order
 */
import type { Config } from '../config/schema.js';
import { AlertManager, type AlertingDeps } from './manager.js';

export { AlertManager, type AlertingDeps, type AlertingStats } from './manager.js';
export { alertSchema, alertJsonSchema, type Alert, type StoredAlert } from './schema.js';
export type { Summary, SummaryExplainer } from './payload.js';
export type { PublishLocal } from './local-actions.js';

/** Build the alerting service (lifecycle, state, outbox writer, local actions). No I/O until start(). */
export function createAlerting(cfg: Config, deps: AlertingDeps): AlertManager {
  return new AlertManager(cfg, deps);
}
