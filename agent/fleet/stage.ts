/**
 * Validating and staging a verified bundle before it is applied, and
 * computing the config the agent runs with from the local file plus the
 * applied versions. Nothing here touches the running agent.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { loadCard } from '../detect/card.js';
import { ModelRunner } from '../detect/model.js';
import { errMessage } from '../errors.js';
import { BundleError, type BundlePayload } from './bundle.js';
import { writeAtomic } from '../atomic-file.js';
import type { FleetState, FleetStateDoc } from './state.js';

/** Fields a remote config may not change: who and where the agent is (its identity and its state). */
const PINNED = ['id', 'site', 'stateDir'] as const;

/**
 * The config a remote bundle describes, checked like a local file (zod,
 * cross-field checks, ${ENV}) with the agent's identity pinned to the local
 * file's. Without a `fleet` section the local one is kept; with one, it
 * replaces it (that is how trusted keys rotate) but must keep remote
 * management enabled — a bundle cannot cut the agent off from its fleet.
 */
export function resolveRemoteConfig(remote: Record<string, unknown>, local: Config, env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = structuredClone(remote);
  const agent = (raw['agent'] ?? {}) as Record<string, unknown>;
  if (typeof agent !== 'object' || Array.isArray(agent)) throw new BundleError('invalid-config', 'agent: must be an object');
  for (const k of PINNED) {
    const want = local.agent[k];
    if (agent[k] !== undefined && agent[k] !== want) {
      throw new BundleError(
        'invalid-config',
        `agent.${k}: a remote config may not change it (local ${JSON.stringify(want)}, bundle ${JSON.stringify(agent[k])})`,
      );
    }
    if (want !== undefined) agent[k] = want;
  }
  raw['agent'] = agent;
  raw['fleet'] ??= local.fleet;
  let cfg: Config;
  try {
    cfg = parseConfig(raw, env);
  } catch (err) {
    if (err instanceof ConfigError) throw new BundleError('invalid-config', err.problems.slice(0, 5).join('; '));
    throw err;
  }
  if (!cfg.fleet.enabled)
    throw new BundleError('invalid-config', 'fleet.enabled: a remote config may not turn remote management off (got false)');
  return cfg;
}

/** Validate a config bundle against the local file and keep it as version N. Returns the config it yields. */
export function stageConfig(state: FleetState, p: Extract<BundlePayload, { kind: 'config' }>, local: Config): Config {
  const cfg = resolveRemoteConfig(p.config, local);
  const file = state.versionPath('config', p.version);
  mkdirSync(join(file, '..'), { recursive: true });
  writeAtomic(file, JSON.stringify(p.config, null, 2));
  return cfg;
}

/**
 * Write a model bundle's card and ONNX file as version N, then check them
 * the way the detector will at start-up: card schema, sha256 of the file,
 * and a real ONNX Runtime session with the inputs and outputs its kind needs.
 * Returns the card path and the model's `name@version`.
 */
export async function stageModel(
  state: FleetState,
  p: Extract<BundlePayload, { kind: 'model' }>,
  detect: Config['detect'],
  log: Logger,
): Promise<{ cardPath: string; label: string }> {
  const dir = state.versionPath('model', p.version);
  const card = p.model.card;
  const file = typeof card['file'] === 'string' ? card['file'] : '';
  // The card names its ONNX file; only a plain file name, so a bundle cannot write outside its directory.
  if (file === '' || basename(file) !== file || file.startsWith('.')) {
    throw new BundleError('invalid-model', `card.file must be a plain file name (got ${JSON.stringify(card['file'])})`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cardPath = join(dir, 'model.card.json');
  writeFileSync(join(dir, file), Buffer.from(p.model.onnx, 'base64'));
  writeFileSync(cardPath, JSON.stringify(card, null, 2));
  const runner = new ModelRunner(cardPath, { threads: detect.threads, executionProviders: detect.executionProviders }, log);
  try {
    loadCard(cardPath);
    await runner.start();
    return { cardPath, label: runner.id };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new BundleError('invalid-model', errMessage(err));
  } finally {
    await runner.stop();
  }
}

/**
 * The config the agent runs with: the applied remote config (or the local
 * file), with the applied model (if any) as the default detector model.
 */
export function effectiveConfig(local: Config, doc: FleetStateDoc, state: FleetState): Config {
  let cfg = local;
  const c = doc.config.current;
  if (c) {
    const file = state.versionPath('config', c.version);
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    cfg = resolveRemoteConfig(raw, local);
  }
  const m = doc.model.current;
  if (m) {
    const cardPath = join(state.versionPath('model', m.version), 'model.card.json');
    cfg = { ...cfg, assets: { ...cfg.assets, defaults: { ...cfg.assets.defaults, modelCard: cardPath } } };
  }
  return cfg;
}
