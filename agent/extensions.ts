import type { Extension } from './controller.js';

/**
 * The stages that plug into the core through the AgentContext seam (alerts,
 * uplink, explain, history). Each is built from its own config section and
 * returns undefined when disabled.
 */
export function defaultExtensions(): Extension[] {
  return [];
}
