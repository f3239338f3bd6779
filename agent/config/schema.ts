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

/**
 * The one configuration schema. Each stage owns its section file under
 * sections/; this file only composes them. Parsed once at start-up.
 */
export const configSchema = z
  .object({
    agent: agentSection.prefault({}),
    log: logSection.prefault({}),
    plant: plantSection.prefault({}),
    assets: assetsSection.prefault({}),
    detect: detectSection.prefault({}),
    observe: observeSection.prefault({}),
    alerts: alertsSection.prefault({}),
    uplink: uplinkSection.prefault({}),
    explain: explainSection.prefault({}),
    history: historySection.prefault({}),
    sim: simSection.prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
