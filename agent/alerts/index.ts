/**
 * Public entry of the alerts stage. The agent's composition (extensions.ts):
 *   const store = createStateStore(cfg, ...);            // persist/: the one owner of the database
 *   const alerting = createAlerting(cfg, { ...deps, store });
 *   const uplink = createUplink(cfg, { outbox: store.outbox, ... });
 *   start: store → alerting → uplink; stop in mirror order.
 */
import type { Config } from '../config/schema.js';
import { createStateStore } from '../persist/store.js';
import { AlertManager, type AlertingDeps, type AlertStore } from './manager.js';
import type { AssetAlertState } from './lifecycle.js';
import type { StoredAlert } from './schema.js';

export { AlertManager, type AlertingDeps, type AlertingStats, type AlertStore } from './manager.js';
export { alertSchema, alertJsonSchema, type Alert, type StoredAlert } from './schema.js';
export type { Summary, SummaryExplainer } from './payload.js';
export type { PublishLocal } from './local-actions.js';

/** Build the alerting service (lifecycle, outbox writer, local actions) on the given store. No I/O until start(). */
export function createAlerting(cfg: Config, deps: AlertingDeps): AlertManager {
  return new AlertManager(cfg, deps);
}

/**
 * Alerting with a state store of its own in `stateDir`, for callers that run
 * alerting alone (Node-RED's alert node, replays, tests): start() opens the
 * store first, stop() closes it last. The outbox is used when the config
 * enables the uplink.
 */
export function createStandaloneAlerting(cfg: Config, deps: Omit<AlertingDeps, 'store' | 'ownStore'> & { stateDir: string }): AlertManager {
  const store: AlertStore = createStateStore<StoredAlert, AssetAlertState>(cfg, deps.stateDir, deps.log);
  return new AlertManager(cfg, { ...deps, store, ownStore: true });
}
