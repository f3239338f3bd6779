/**
 * What the CommonJS shims under nodes/<name>/ import (dynamically) from the
 * compiled package: one factory per node type. Each returns the adapter the
 * shim forwards input and close to.
 */
export { createConfigNode, type ConfigAdapter } from './config-node.js';
export { createScoreNode } from './score.js';
export { createAlertNode, asDecision } from './alert.js';
export { createExplainNode } from './explain.js';
export { createSparkplugNode } from './sparkplug.js';
export { live } from './shared.js';
export { configInput, parseNodeConfig } from './settings.js';
export { samplesOf } from './samples.js';
