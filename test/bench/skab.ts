/**
 * bench:skab — the agent's detector on a SKAB-layout folder, scored with
 * SKAB's own metrics (agent/eval/skab-score.ts).
 *
 *   npx tsx test/bench/skab.ts [--data DIR] [--json] [--limit N]
 *
 * Each labelled file is replayed sample by sample (all 8 sensors of a row,
 * then its decision) through the real Pipeline; its first 400 rows are the
 * learning phase, the rest is scored: F1/FAR/MAR over all test rows
 * concatenated, and SKAB's changepoint NAB variant. One configuration for
 * every file. With --json the last stdout line is one JSON object.
 */
import { performance } from 'node:perf_hooks';
import { listSkabFiles, loadSkabFile, SKAB_TRAIN_ROWS } from '../../agent/eval/skab-data.js';
import { skabBinary, skabChangepoints, skabNab, type SkabBinaryPart, type SkabNabPart } from '../../agent/eval/skab-score.js';
import { openReplayRunner, percentile, replaySeries } from '../../agent/eval/replay.js';
import { benchMain } from './lib/args.js';
import { benchArgs, machine, round } from './lib/common.js';
import { SKAB_CONFIG } from './lib/config.js';

async function main(): Promise<void> {
  const a = benchArgs(process.argv.slice(2), 'skab');
  let keys = await listSkabFiles(a.data);
  if (a.files.length) keys = keys.filter((k) => a.files.some((f) => k.includes(f)));
  keys = keys.slice(0, a.limit);
  const runner = await openReplayRunner();
  const parts: SkabBinaryPart[] = [];
  const cps: SkabNabPart[] = [];
  const micros: number[] = [];
  let samples = 0;
  const t0 = performance.now();
  for (const key of keys) {
    const f = await loadSkabFile(a.data, key);
    if (!f.anomaly || !f.changepoint) continue;
    const res = await replaySeries(
      { ts: f.ts, signals: f.signals },
      { learnRows: SKAB_TRAIN_ROWS, runner, config: SKAB_CONFIG, asset: key },
    );
    const pred = res.detections.slice(SKAB_TRAIN_ROWS);
    const truth = f.anomaly.slice(SKAB_TRAIN_ROWS);
    parts.push({ truth, pred });
    cps.push({ ts: f.ts.slice(SKAB_TRAIN_ROWS), trueCp: f.changepoint.slice(SKAB_TRAIN_ROWS), predCp: skabChangepoints(pred) });
    for (const m of res.micros) micros.push(m);
    samples += f.ts.length;
    if (!a.json) {
      const r = skabBinary([{ truth, pred }]);
      process.stdout.write(`${key}: F1 ${round(r.f1)} FAR ${round(r.farPct, 1)}% MAR ${round(r.marPct, 1)}%\n`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  await runner.stop();
  const bin = skabBinary(parts);
  const nab = skabNab(cps);
  const out = {
    f1: round(bin.f1, 3),
    far: round(bin.farPct, 2),
    mar: round(bin.marPct, 2),
    nabStandard: round(nab.standard, 2),
    files: parts.length,
    samples,
    seconds: round(seconds),
    p99MicrosPerSample: round(percentile(micros, 99), 1),
    ...machine(),
  };
  if (!a.json) process.stdout.write(`SKAB F1 ${out.f1}, FAR ${out.far}%, MAR ${out.mar}%, changepoint NAB ${out.nabStandard}\n`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

benchMain(main);
