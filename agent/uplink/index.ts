/** Public entry of the uplink stage: outbox delivery, egress gate and audit, status. */
import type { Config } from '../config/schema.js';
import { Uplink, type UplinkDeps } from './upstream.js';

export { Uplink, redactUrl, type UplinkDeps, type UplinkStats } from './upstream.js';
export { EgressGate, classifyUpstreamMessage, type EgressAuditLine, type EgressMessage } from './egress.js';
export { readEgressAudit } from './audit.js';
export { statusSchema, statusJsonSchema, type Status, type Health } from './status.js';

/** Build the upstream publisher; does nothing at start() when uplink.enabled is false. */
export function createUplink(cfg: Config, deps: UplinkDeps): Uplink {
  return new Uplink(cfg, deps);
}
