/**
 * bench:nab — the agent's detector on a NAB-layout folder, scored with NAB's
 * own rules (agent/eval/nab-score.ts).
 *
 *   npx tsx test/bench/nab.ts [--data DIR] [--json] [--limit N]
 *
 * Each file is replayed sample by sample through the real Pipeline
 * (agent/eval/replay.ts); its probation (min(floor(0.15 N), 750) rows) is the
 * learning phase; one configuration for the whole corpus. `standard` and its
 * siblings sweep NAB's threshold over the streaming normalised score;
 * `agentStandard` scores the agent's own 0/1 decisions (no sweep).
 * With --json the last stdout line is one JSON object.
 */
import { performance } from 'node:perf_hooks';
import { loadNabFile, listNabFiles, loadNabProfiles, loadNabWindows } from '../../agent/eval/nab-data.js';
import { nabProbationLength } from '../../agent/eval/nab-geometry.js';
import { agentStandard, nabSweepProfiles, type NabDetectionInput, type NabScoredInput } from '../../agent/eval/nab-score.js';
import { openReplayRunner, percentile, replaySeries } from '../../agent/eval/replay.js';
import { NAB_CONFIG } from './lib/config.js';
import { benchMain } from './lib/args.js';
import { benchArgs, machine, round } from './lib/common.js';

async function main(): Promise<void> {
  const a = benchArgs(process.argv.slice(2), 'nab');
  const [windows, profiles] = await Promise.all([loadNabWindows(a.data), loadNabProfiles(a.data)]);
  let keys = await listNabFiles(a.data);
  if (a.files.length) keys = keys.filter((k) => a.files.some((f) => k.includes(f)));
  keys = keys.slice(0, a.limit);
  const runner = await openReplayRunner();
  const scored: NabScoredInput[] = [];
  const fixed: NabDetectionInput[] = [];
  const micros: number[] = [];
  let samples = 0;
  let fallback = 0;
  const t0 = performance.now();
  for (const key of keys) {
    const f = await loadNabFile(a.data, key);
    const ts = f.points.map((p) => p.ts);
    const value = f.points.map((p) => p.value);
    const res = await replaySeries(
      { ts, signals: { value } },
      { learnRows: nabProbationLength(ts.length), runner, config: NAB_CONFIG, asset: key },
    );
    const w = windows.get(key) ?? [];
    scored.push({ key, timestamps: ts, windows: w, scores: res.anomaly });
    fixed.push({ key, timestamps: ts, windows: w, detections: res.detections });
    for (const m of res.micros) micros.push(m);
    samples += ts.length;
    fallback += res.fallbackDecisions;
    if (!a.json) process.stdout.write(`${key}: ${ts.length} rows, ${res.detections.reduce((s, x) => s + x, 0)} alarms\n`);
  }
  const seconds = (performance.now() - t0) / 1000;
  await runner.stop();
  const sweep = nabSweepProfiles(scored, profiles);
  const agent = agentStandard(fixed, profiles);
  const out = {
    standard: round(sweep['standard']!.normalized),
    reward_low_FP_rate: round(sweep['reward_low_FP_rate']!.normalized),
    reward_low_FN_rate: round(sweep['reward_low_FN_rate']!.normalized),
    agentStandard: round(agent.normalized),
    threshold: round(sweep['standard']!.threshold ?? NaN, 4),
    tpWindows: sweep['standard']!.tpWindows,
    fpRows: sweep['standard']!.fpRows,
    agentTpWindows: agent.tpWindows,
    agentFpRows: agent.fpRows,
    files: keys.length,
    windows: sweep['standard']!.windows,
    samples,
    fallbackDecisions: fallback,
    seconds: round(seconds),
    samplesPerSecond: Math.round(samples / seconds),
    p99MicrosPerSample: round(percentile(micros, 99), 1),
    ...machine(),
  };
  if (!a.json) {
    process.stdout.write(
      `NAB standard ${out.standard} (low FP ${out.reward_low_FP_rate}, low FN ${out.reward_low_FN_rate}); agent's own decisions ${out.agentStandard}\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

benchMain(main);
