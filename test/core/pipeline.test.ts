import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/load.js';
import type { ConfigInput } from '../../agent/config/schema.js';
import { builtinCardPath } from '../../agent/detect/card.js';
import { ModelRunner } from '../../agent/detect/model.js';
import { BaselineStore } from '../../agent/detect/store.js';
import { isEdgeError } from '../../agent/errors.js';
import { EventBus } from '../../agent/events.js';
import { AgentStats } from '../../agent/observe/stats.js';
import { Pipeline } from '../../agent/pipeline.js';
import { gauss, rng } from '../../agent/sim/random.js';
import type { Decision } from '../../agent/types.js';
import { memoryLogger } from '../helpers/log.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function build(over: ConfigInput = {}, stateDir = mkdtempSync(join(tmpdir(), 'es-pipe-'))) {
  const cfg = parseConfig({ agent: { stateDir }, assets: { defaults: { learnSamples: 200 } }, ...over });
  const { log, lines } = memoryLogger('info');
  const runner = new ModelRunner(builtinCardPath(), cfg.detect, log);
  await runner.start();
  const store = new BaselineStore(stateDir, log);
  store.start();
  const bus = new EventBus(log);
  const stats = new AgentStats();
  const pipeline = new Pipeline(cfg, runner, store, bus, stats, log);
  const decisions: Decision[] = [];
  bus.on('decision', (d) => decisions.push(d));
  const health: string[] = [];
  bus.on('health', (h) => health.push(`${h.kind}:${h.ok}`));
  cleanups.push(async () => {
    await pipeline.stop();
    await runner.stop();
  });
  return { pipeline, stats, decisions, health, lines, store, stateDir, runner };
}

/** Two correlated signals around 50 and 10 with noise, one message (scan) per row; returns the next ts. */
async function feed(p: Pipeline, from: number, n: number, u: () => number, shape: (i: number) => number = () => 0): Promise<number> {
  let ts = from;
  for (let i = 0; i < n; i++) {
    const load = gauss(u);
    ts += 100;
    const at = performance.now();
    p.ingest('pump', 'temp', 50 + 0.5 * load + 0.1 * gauss(u) + shape(i), ts, at);
    p.ingest('pump', 'current', 10 + 0.2 * load + 0.05 * gauss(u), ts, at);
    p.endScan('pump', at);
    await p.flush();
  }
  return ts;
}

describe('pipeline', () => {
  it('learns, then decides every sample with the ONNX model, and explains an anomaly', async () => {
    // A generous deadline: this test is about learning and scoring, not timing (the machine is shared).
    const { pipeline, stats, decisions } = await build({ assets: { defaults: { learnSamples: 200, deadlineMs: 200 } } });
    const u = rng(7);
    // Learning counts scans: one per row (a value per signal), so 200 rows learn 200 scans.
    let ts = await feed(pipeline, 0, 200, u);
    expect(pipeline.phases()).toEqual([{ asset: 'pump', phase: 'detecting', samples: 200 }]);
    expect(decisions).toHaveLength(200);
    expect(decisions.every((d) => d.phase === 'learning')).toBe(true);
    decisions.length = 0;
    ts = await feed(pipeline, ts, 300, u);
    const normal = decisions.filter((d) => d.phase === 'detecting');
    expect(normal).toHaveLength(300); // one decision per scan, not per value
    expect(normal.map((d) => d.scan)).toEqual(Array.from({ length: 300 }, (_, i) => 201 + i));
    expect(normal.every((d) => d.source === 'model' && !d.deadlineMissed)).toBe(true);
    expect(normal.filter((d) => d.anomalous).length).toBeLessThanOrEqual(3); // ≤ 1% false alarms on clean data
    decisions.length = 0;
    await feed(pipeline, ts, 1, u, () => 8); // +16σ spike on temp
    const spike = decisions.find((d) => d.anomalous);
    expect(spike).toBeDefined();
    expect(spike!.source).toBe('model');
    expect(spike!.score).toBeGreaterThan(spike!.threshold);
    expect(spike!.diagnosis!.signals[0]).toBe('temp');
    expect(spike!.diagnosis!.pattern).toBe('spike');
    const ev = spike!.evidence!.find((e) => e.signal === 'temp')!;
    expect(ev.baseline).toBeCloseTo(50, 0);
    expect(ev.z).toBeGreaterThan(5);
    expect(stats.latency.count).toBe(stats.decisions);
    expect(stats.scanLatency.count).toBe(stats.decisions);
    expect(stats.deadlineMisses).toBe(0);
    // The deadline's clock starts at the close; first value → decision includes the wait for the scan's other values.
    expect(spike!.scanUs!).toBeGreaterThanOrEqual(spike!.latencyUs);
  });

  it('decides by the fallback when the model cannot meet the deadline, and raises agent health', async () => {
    const { pipeline, stats, decisions, health } = await build({
      assets: { defaults: { learnSamples: 200, deadlineMs: 0.001 } },
      detect: { missHealthAfter: 10 },
    });
    const u = rng(8);
    let ts = await feed(pipeline, 0, 200, u);
    decisions.length = 0;
    ts = await feed(pipeline, ts, 20, u);
    await feed(pipeline, ts, 1, u, () => 8);
    const det = decisions.filter((d) => d.phase === 'detecting');
    expect(det.length).toBe(21);
    expect(det.every((d) => d.source === 'fallback' && d.deadlineMissed)).toBe(true);
    expect(stats.deadlineMisses).toBe(21);
    expect(stats.fallbackDecisions).toBe(21);
    expect(det.at(-1)!.anomalous).toBe(true); // the spike is still caught
    expect(health).toEqual(['deadline:false']);
  });

  it('persists the baseline: after a restart the asset detects at once', async () => {
    const first = await build();
    const u = rng(9);
    await feed(first.pipeline, 0, 200, u);
    await first.store.flush();
    const saved = JSON.parse(readFileSync(join(first.stateDir, 'baselines', 'pump.json'), 'utf8')) as {
      signals: string[];
      samples: number;
    };
    expect(saved.signals).toEqual(['temp', 'current']);
    expect(saved.samples).toBe(200);
    const second = await build({}, first.stateDir);
    await feed(second.pipeline, 100_000, 5, u);
    expect(second.decisions.every((d) => d.phase === 'detecting')).toBe(true);
    expect(second.decisions.filter((d) => d.anomalous)).toHaveLength(0);
  });

  it('counts rejected samples and never throws on bad values', async () => {
    const { pipeline, stats } = await build();
    pipeline.ingest('a', 's', NaN, 1, performance.now());
    pipeline.ingest('a', 's', 1, 2, performance.now());
    pipeline.ingest('a', 's', 1, 2, performance.now());
    await pipeline.flush();
    expect(stats.rejected).toMatchObject({ nonFinite: 1, duplicate: 1 });
  });

  it('bounds assets and signals by config: past assets.maxAssets / maxSignals samples are refused and counted', async () => {
    const { pipeline, stats } = await build({ assets: { maxAssets: 3, maxSignals: 2 } });
    for (let a = 0; a < 10; a++) for (let s = 0; s < 5; s++) pipeline.ingest(`a${a}`, `s${s}`, 1, 1000 + s, performance.now());
    await pipeline.flush();
    expect(pipeline.detectors.size).toBe(3);
    expect([...pipeline.detectors.values()].map((d) => d.window.signals.length)).toEqual([2, 2, 2]);
    expect(stats.rejected.assetLimit).toBe(7 * 5);
    expect(stats.rejected.signalLimit).toBe(3 * 3);
  });
});

describe('model loading errors are clear at start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'es-card-'));
  const { log } = memoryLogger();
  const card = JSON.parse(readFileSync(builtinCardPath(), 'utf8')) as Record<string, unknown>;
  async function startWith(cardObj: Record<string, unknown>, bytes?: Buffer): Promise<string> {
    const onnx = join(dir, `m${Math.random()}.onnx`);
    if (bytes) writeFileSync(onnx, bytes);
    else copyFileSync(join(builtinCardPath(), '../pca-t2q.onnx'), onnx);
    const cardPath = join(dir, `c${Math.random()}.json`);
    writeFileSync(cardPath, JSON.stringify({ ...cardObj, file: onnx }));
    try {
      await new ModelRunner(cardPath, { threads: 1, executionProviders: ['cpu'] }, log).start();
    } catch (err) {
      return isEdgeError(err) ? `${err.code} ${err.message}` : String(err);
    }
    return 'loaded';
  }
  it('loads the shipped model', async () => {
    expect(await startWith(card)).toBe('loaded');
  });
  it('rejects a corrupt file by its sha256', async () => {
    expect(await startWith(card, Buffer.from('not an onnx file'))).toMatch(
      /^E_MODEL_LOAD model file .* is corrupt or was replaced: sha256 /,
    );
  });
  it('rejects a card whose kind needs inputs the card lacks', async () => {
    const bad = { ...card, inputs: (card['inputs'] as Array<{ name: string }>).filter((i) => i.name !== 'lam') };
    expect(await startWith(bad)).toMatch(/^E_MODEL_CARD model card .*: kind pca-scorer needs input "lam"/);
  });
  it('rejects a model whose real inputs do not match its card', async () => {
    const fs = {
      ...card,
      kind: 'feature-scorer',
      inputs: [{ name: 'features', dtype: 'float32', shape: ['batch', 'f'] }],
      outputs: [{ name: 'score', dtype: 'float32', shape: ['batch'] }],
    };
    expect(await startWith(fs)).toMatch(/^E_MODEL_CARD .*needs input "x"/);
  });
});
