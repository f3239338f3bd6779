import { ConfigError, loadConfigFile, parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { builtinCardPath, loadCard } from '../detect/card.js';
import { errMessage } from '../errors.js';
import { checkBroker } from './broker.js';
import { finding, type Finding } from './finding.js';
import { checkClock, checkCpu, checkMemory, checkNode, DEFAULT_HOST_PATHS, type HostPaths } from './host.js';
import { checkOnnx } from './onnx.js';
import { checkPermissions } from './permissions.js';
import { checkDisk, checkStateDir } from './storage.js';

export interface DoctorOptions {
  /** Config file to check and to take the state dir, broker and providers from; default: built-in defaults. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Per broker connect timeout, ms. */
  brokerTimeoutMs?: number;
  hostPaths?: HostPaths;
}

/**
 * Runs every check and returns the findings in report order. Never throws
 * for a host problem: each problem is a finding with a fix.
 */
export async function runDoctor(opts: DoctorOptions = {}): Promise<Finding[]> {
  const out: Finding[] = [checkNode()];
  const { cfg, found } = readConfig(opts.configFile, opts.env ?? process.env);
  out.push(found);

  // ONNX Runtime is worth checking even with a broken config: it is the most likely install problem.
  out.push(...(await checkOnnx(cfg?.detect.executionProviders ?? ['cpu'], cfg?.detect.threads ?? 1)));
  out.push(checkCpu(opts.hostPaths ?? DEFAULT_HOST_PATHS), checkMemory(), await checkClock(opts.hostPaths ?? DEFAULT_HOST_PATHS));

  if (!cfg) {
    for (const [id, title] of [
      ['disk', 'Free disk'],
      ['statedir', 'State dir writable'],
      ['broker.plant', 'Plant broker'],
    ] as const) {
      out.push(finding(id, title, 'skip', 'needs a valid config'));
    }
    return out;
  }
  out.push(checkDisk(cfg.agent.stateDir), checkStateDir(cfg.agent.stateDir));
  out.push(...checkPermissions(opts.configFile, cfg));
  out.push(...checkModelCards(cfg));
  const timeout = opts.brokerTimeoutMs ?? 3000;
  out.push(await checkBroker('broker.plant', 'Plant broker', cfg.plant.broker, timeout));
  if (cfg.uplink.enabled && cfg.uplink.broker) {
    out.push(await checkBroker('broker.uplink', 'Uplink broker', cfg.uplink.broker, timeout));
  }
  return out;
}

function readConfig(file: string | undefined, env: NodeJS.ProcessEnv): { cfg: Config | undefined; found: Finding } {
  try {
    if (!file) return { cfg: parseConfig({}, env), found: finding('config', 'Config', 'ok', 'no --config given: built-in defaults') };
    return { cfg: loadConfigFile(file, env), found: finding('config', 'Config', 'ok', `${file} is valid`) };
  } catch (err) {
    if (err instanceof ConfigError) {
      const n = err.problems.length;
      return {
        cfg: undefined,
        found: finding(
          'config',
          'Config',
          'fail',
          `${file ?? 'defaults'}: ${n} problem${n === 1 ? '' : 's'}`,
          'fix each key listed below (edge-sentinel validate FILE shows the same list; edge-sentinel schema prints every key)',
          err.problems,
        ),
      };
    }
    return { cfg: undefined, found: finding('config', 'Config', 'fail', errMessage(err), 'check the file') };
  }
}

/** A user's own model cards (the built-in one is covered by the ONNX check). */
function checkModelCards(cfg: Config): Finding[] {
  const cards = new Set<string>();
  if (cfg.assets.defaults.modelCard) cards.add(cfg.assets.defaults.modelCard);
  for (const o of Object.values(cfg.assets.overrides)) if (o.modelCard) cards.add(o.modelCard);
  cards.delete(builtinCardPath());
  return [...cards].map((path) => {
    try {
      const c = loadCard(path);
      return finding(`model:${path}`, 'Model card', 'ok', `${c.name}@${c.version} (${c.kind}), sha256 matches`);
    } catch (err) {
      return finding(
        `model:${path}`,
        'Model card',
        'fail',
        errMessage(err),
        'fix the card (file, sha256, inputs/outputs) or remove assets.*.modelCard to use the built-in model',
      );
    }
  });
}
