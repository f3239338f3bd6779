import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { parseConfig } from '../config/load.js';
import type { ConfigInput } from '../config/schema.js';
import { Agent } from '../controller.js';
import { defaultExtensions } from '../extensions.js';
import { createRootLogger } from '../observe/logger.js';
import { demoUnits } from '../sim/assets.js';
import { EmbeddedBroker } from '../sim/broker.js';
import { PlantSimulator } from '../sim/plant.js';
import { SimPublisher } from '../sim/publisher.js';
import { args } from './args.js';
import { DetectionPrinter } from './printer.js';
import { waitForSignal } from './run.js';

/** Demo defaults: 10 Hz, ~16–20 s of learning, faults from 25 s on. */
export function demoConfig(brokerUrl: string, stateDir: string): ConfigInput {
  return {
    agent: { id: 'demo-gateway', site: 'demo-plant', stateDir },
    log: { level: 'warn' },
    plant: { broker: { url: brokerUrl, protocolVersion: 4 }, subscriptions: [{ topic: 'plant/{asset}/{signal}', decoder: 'number' }] },
    assets: {
      defaults: { learnSamples: 800, deadlineMs: 5 },
      overrides: { 'P-101': { kind: 'pump' }, 'M-201': { kind: 'motor' } },
      units: demoUnits(),
    },
    observe: { http: { enabled: true, port: 0 } },
    explain: { mode: 'lm' },
    sim: { enabled: true, embeddedBroker: true, rateHz: 10 },
  };
}

/**
 * `edge-sentinel demo [--duration S] [--json] [--config FILE]`: an embedded
 * broker, the simulated plant and the real agent in one process, printing
 * each detection. With --config, the file's broker and settings are used.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = args(argv, {
    duration: { type: 'string', short: 'd' },
    json: { type: 'boolean', default: false },
    config: { type: 'string', short: 'c' },
    rate: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    history: { type: 'string' },
  });
  const duration = values.duration === undefined ? Infinity : Number(values.duration);
  if (!(duration > 0)) throw new Error(`--duration must be a positive number of seconds (got ${values.duration})`);
  const out = (line: string) => process.stdout.write(line + '\n');
  const stateDir = mkdtempSync(join(tmpdir(), 'edge-sentinel-demo-'));
  let broker: EmbeddedBroker | undefined;
  const cfgIn = values.config ? undefined : demoConfig('mqtt://127.0.0.1:1', stateDir);
  let cfg = values.config ? loadConfigFile(values.config) : parseConfig(cfgIn);
  if (cfg.sim.embeddedBroker) {
    broker = new EmbeddedBroker(cfg.sim.embeddedPort);
    await broker.start();
    cfg = { ...cfg, plant: { ...cfg.plant, broker: { ...cfg.plant.broker, url: broker.url, protocolVersion: 4 } } };
  }
  if (values.rate) cfg = { ...cfg, sim: { ...cfg.sim, rateHz: Number(values.rate) } };
  if (values.history) cfg = { ...cfg, history: { ...cfg.history, url: values.history } };
  const log = createRootLogger(values.verbose ? 'info' : cfg.log.level, undefined);
  const agent = new Agent(cfg, log, defaultExtensions());
  const printer = new DetectionPrinter(out, values.json, cfg.assets.units);
  printer.attach(agent.bus);
  await agent.start();
  // Quiet until every asset has learned (P-101 has 5 signals, each sample is one learning row) plus a margin.
  const learnS = cfg.assets.defaults.learnSamples / (cfg.sim.rateHz * 4) + 4;
  const sim = new PlantSimulator(cfg.sim.seed, learnS, cfg.sim.speed);
  const pub = new SimPublisher(cfg.plant.broker.url, sim, cfg.sim.rateHz, log.child({ module: 'sim' }), cfg.plant.broker.protocolVersion);
  await pub.start();
  if (!values.json) {
    out(
      `edge-sentinel demo: ${sim.assets.map((a) => `${a.name} (${a.kind}, ${a.signals.length} signals)`).join(', ')} at ${cfg.sim.rateHz} Hz`,
    );
    out(
      `learning each asset's normal behaviour for ${cfg.assets.defaults.learnSamples} samples, then detecting; first fault at ~${Math.round(learnS + 15 / cfg.sim.speed)} s`,
    );
    const base = `http://127.0.0.1:${agent.httpPort}`;
    out(`status page: ${base}/  (live; metrics ${base}/metrics, health ${base}/healthz)  Ctrl-C to stop`);
  }
  let timer: NodeJS.Timeout | undefined;
  const elapsed = Number.isFinite(duration)
    ? new Promise<void>((r) => (timer = setTimeout(r, duration * 1000)))
    : new Promise<void>(() => undefined);
  await Promise.race([elapsed, waitForSignal(log)]);
  // Stopped by a signal before --duration ran out: the pending timer would otherwise keep the process alive.
  clearTimeout(timer);
  await pub.stop();
  const lat = agent.stats.latency.snapshot();
  const summary = {
    type: 'summary',
    seconds: Math.round(pub.elapsedS),
    published: pub.published,
    samplesIn: agent.stats.samplesIn,
    decisions: agent.stats.decisions,
    anomalies: agent.stats.anomalies,
    deadlineMisses: agent.stats.deadlineMisses,
    latencyUs: { p50: Math.round(lat.p50), p99: Math.round(lat.p99), p999: Math.round(lat.p999), max: Math.round(lat.max) },
    rssMb: Math.round(process.memoryUsage().rss / 1e5) / 10,
  };
  await agent.stop();
  await broker?.stop();
  rmSync(stateDir, { recursive: true, force: true });
  out(
    values.json
      ? JSON.stringify(summary)
      : `done: ${summary.samplesIn} samples, ${summary.decisions} decisions, ${summary.anomalies} anomalous, ${summary.deadlineMisses} deadline misses; scan close→decision p50 ${summary.latencyUs.p50} µs, p99 ${summary.latencyUs.p99} µs; RSS ${summary.rssMb} MB`,
  );
  return 0;
}
