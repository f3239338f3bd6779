import type { Logger } from 'pino';
import { loadConfigFile, parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { Agent } from '../controller.js';
import { defaultExtensions } from '../extensions.js';
import { FleetSupervisor } from '../fleet/supervisor.js';
import { statusLine } from '../observe/health.js';
import { hotPathAlive } from '../observe/hotpath-health.js';
import { createRootLogger } from '../observe/logger.js';
import { SdNotify } from '../observe/sdnotify.js';
import { args } from './args.js';

/** `edge-sentinel run [--config FILE]`: the daemon (under the fleet supervisor when fleet.enabled). Stops cleanly on SIGINT/SIGTERM. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values } = args(argv, { config: { type: 'string', short: 'c' } });
  const notes: string[] = [];
  const cfg: Config = values.config ? loadConfigFile(values.config, process.env, notes) : parseConfig({});
  const log = createRootLogger(cfg.log.level);
  for (const note of notes) log.warn({ file: values.config }, `config: ${note}`);
  // systemd Type=notify: READY once serving, STATUS= on every component change, and WATCHDOG pings
  // while the event loop lives and the hot path makes progress. Only a stalled hot path withholds them:
  // a broker outage or a full disk is not fixed by a restart, and restarting would only lose state.
  const notify = new SdNotify(log.child({ module: 'sdnotify' }));
  const wire = (agent: Agent): void => {
    const reg = agent.healthRegistry;
    reg.onChange(() => void notify.status(statusLine(reg.snapshot())));
  };
  // With remote management the supervisor owns the agent and replaces it on each apply; each new one is wired.
  const runner = cfg.fleet.enabled ? new FleetSupervisor(cfg, log, { onAgent: wire }) : new Agent(cfg, log, defaultExtensions());
  if (runner instanceof Agent) wire(runner);
  await runner.start();
  const current = (): Agent | null => (runner instanceof FleetSupervisor ? runner.agent : runner);
  await notify.ready(statusLine(current()!.healthRegistry.snapshot()));
  // Between the stop and the start of an apply there is no agent: not a stall.
  notify.startWatchdog(() => {
    const a = current();
    return a === null || hotPathAlive(a.healthRegistry);
  });
  await waitForSignal(log);
  void notify.stopping();
  notify.stop();
  await runner.stop();
  log.flush();
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
export function waitForSignal(log: Logger): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      log.info({ signal: sig }, 'stopping');
      process.once(sig, () => process.exit(130));
      resolve(sig);
    };
    process.once('SIGINT', () => on('SIGINT'));
    process.once('SIGTERM', () => on('SIGTERM'));
  });
}
