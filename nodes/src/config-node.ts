import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../agent/config/load.js';
import type { Config } from '../../agent/config/schema.js';
import { errMessage } from '../../agent/errors.js';
import { nodeLogger } from './log.js';
import type { NodeAdapter, RedApi, RedNode } from './red.js';
import { parseNodeConfig, type ConfigNodeFields } from './settings.js';
import { SentinelShared } from './shared.js';

/** The config node's adapter: what its users get from `getNode(id).sentinelReady`. */
export interface ConfigAdapter extends NodeAdapter {
  readonly config: Config;
  readonly shared: SentinelShared;
}

/**
 * sentinel-config: validates its fields with the agent's config schema,
 * then starts the shared resources. A ConfigError rejects with every
 * `path: message (got VALUE)` problem, which the shim shows on the node.
 */
export async function createConfigNode(
  RED: RedApi,
  node: RedNode,
  fields: ConfigNodeFields & { logLevel?: string },
): Promise<ConfigAdapter> {
  const userDir = RED.settings.userDir ?? join(homedir(), '.node-red');
  let config: Config;
  try {
    config = parseNodeConfig(fields, userDir, node.id);
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(`sentinel-config: invalid settings: ${err.problems.join('; ')}`, { cause: err });
    throw err;
  }
  const log = nodeLogger(node, fields.logLevel || 'warn');
  const shared = new SentinelShared(config, log);
  try {
    await shared.start();
  } catch (err) {
    await shared.stop(0).catch((e: unknown) => log.error({ err: errMessage(e) }, 'cleanup after a failed start failed'));
    throw err;
  }
  return {
    config,
    shared,
    close: () => shared.stop(),
  };
}

/** Resolves the config adapter a user node names, or rejects saying what is missing. */
export async function configOf(RED: RedApi, id: string | undefined): Promise<ConfigAdapter> {
  const cfgNode = id ? RED.nodes.getNode(id) : null;
  if (!cfgNode || !cfgNode.sentinelReady) throw new Error('no sentinel-config node selected (open the node and pick or add one)');
  return (await cfgNode.sentinelReady) as ConfigAdapter;
}
