import { z } from 'zod';
import { agentSection, logSection } from './sections/agent.js';
import { plantSection } from './sections/plant.js';
import { assetsSection, detectSection } from './sections/detect.js';
import { observeSection } from './sections/observe.js';
import { alertsSection } from './sections/alerts.js';
import { uplinkSection } from './sections/uplink.js';
import { explainSection } from './sections/explain.js';
import { historySection } from './sections/history.js';
import { simSection } from './sections/sim.js';
import { fleetSection } from './sections/fleet.js';

/**
 * The one configuration schema. Each stage owns its section file under
 * sections/; this file only composes them. Parsed once at start-up.
 */
export const configSchema = z
  .object({
    agent: agentSection.prefault({}).describe('Who this agent is and where it keeps its state.'),
    log: logSection.prefault({}).describe('The JSON log on stdout.'),
    plant: plantSection.prefault({}).describe('The plant broker and the topics samples are read from (see docs/architecture.md, Ingest).'),
    assets: assetsSection
      .prefault({})
      .describe('Learning and deadline per asset: defaults for all, overrides per asset name, and engineering units per signal.'),
    detect: detectSection
      .prefault({})
      .describe('The detector: ONNX Runtime session, learned thresholds, episode profile (see docs/detection.md).'),
    observe: observeSection
      .prefault({})
      .describe('The local HTTP port: /metrics, /healthz and the status page (see docs/observability.md).'),
    alerts: alertsSection
      .prefault({})
      .describe('How decisions become alerts: hysteresis, cooldown, severity, updates, local actions (see docs/alerts.md).'),
    uplink: uplinkSection
      .prefault({})
      .describe('Delivery of alerts and status upstream: broker, egress policy and audit, the on-disk outbox (see docs/alerts.md).'),
    explain: explainSection.prefault({}).describe('Alert summaries: the local language model or templates (see docs/explain.md).'),
    history: historySection.prefault({}).describe('Local history in InfluxDB; off unless url is set (see docs/history.md).'),
    sim: simSection.prefault({}).describe("The demo's simulated plant and embedded broker (used by edge-sentinel demo)."),
    fleet: fleetSection
      .prefault({})
      .describe('Signed remote management: config and model bundles over MQTT, applied with rollback (see docs/fleet.md).'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
