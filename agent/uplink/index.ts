/** Public entry of the uplink stage: outbox delivery, egress gate and audit, status. */
import type { Config } from '../config/schema.js';
import type { DigestMessage } from '../explain/digest.js';
import { SparkplugUplink } from './sparkplug/uplink.js';
import { Uplink, type UplinkDeps, type UplinkStats } from './upstream.js';

export { Uplink, redactUrl, type UplinkDeps, type UplinkStats } from './upstream.js';
export { SparkplugUplink } from './sparkplug/uplink.js';
export { EgressGate, classifyUpstreamMessage, type EgressAuditLine, type EgressMessage } from './egress.js';
export { readEgressAudit } from './audit.js';
export { statusSchema, statusJsonSchema, type Status, type Health } from './status.js';

/** What the composition needs of an uplink, whatever its wire format. */
export interface UplinkService {
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): object;
  stats(): Pick<UplinkStats, 'enabled' | 'connected' | 'connects' | 'sent' | 'publishErrors'> & object;
  /** Best effort, not through the outbox: an alert-storm digest (JSON format only; the alerts themselves are outboxed). */
  publishDigest?(d: DigestMessage): void;
}

/** Build the upstream publisher for uplink.format (JSON or Sparkplug B); does nothing at start() when uplink.enabled is false. */
export function createUplink(cfg: Config, deps: UplinkDeps): UplinkService {
  return cfg.uplink.format === 'sparkplug' ? new SparkplugUplink(cfg, deps) : new Uplink(cfg, deps);
}
