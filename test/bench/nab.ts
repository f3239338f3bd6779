/**
 * bench:nab — the agent's detector on a NAB-layout folder, scored with NAB's
 * own rules (agent/eval/nab-score.ts).
 *
 *   npm run bench:nab -- [--data DIR] [--json] [--limit N] [--files a,b] [--cv]
 *
 * Each file is replayed row by row through the real Pipeline
 * (agent/eval/replay.ts); its probation (min(floor(0.15 N), 750) rows) is the
 * learning phase; one configuration for the whole corpus. `standard` and its
 * siblings sweep NAB's threshold over the streaming normalised score;
 * `agentStandard` scores the agent's own 0/1 decisions (no sweep).
 *
 * --cv: nested leave-one-folder-out over the candidate grid (test/bench/lib/grid.ts,
 * agent/eval/nab-cv.ts); each (candidate, file) is replayed once and cached,
 * the process runs at nice 10. With --json the last stdout line is one JSON object.
 */
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadNabFile, listNabFiles, loadNabProfiles, loadNabWindows, type NabFile, type NabWindow } from '../../agent/eval/nab-data.js';
import { nabProbationLength } from '../../agent/eval/nab-geometry.js';
import { agentStandard, nabSweepProfiles } from '../../agent/eval/nab-score.js';
import { nabCrossValidate, type NabFileRun } from '../../agent/eval/nab-cv.js';
import { openReplayRunner, percentile, replaySeries } from '../../agent/eval/replay.js';
import type { ModelRunner } from '../../agent/detect/model.js';
import { NAB_CONFIG } from './lib/config.js';
import { benchMain } from './lib/args.js';
import { benchArgs, machine, round } from './lib/common.js';
import { NAB_GRID, type Candidate } from './lib/grid.js';

interface Run {
  files: NabFileRun[];
  micros: number[];
  fallback: number;
}

async function runCandidate(c: Candidate, files: readonly NabFile[], windows: Map<string, NabWindow[]>, runner: ModelRunner): Promise<Run> {
  const run: Run = { files: [], micros: [], fallback: 0 };
  for (const f of files) {
    const ts = f.points.map((p) => p.ts);
    const value = f.points.map((p) => p.value);
    const res = await replaySeries(
      { ts, signals: { value } },
      { learnRows: nabProbationLength(ts.length), runner, config: NAB_CONFIG, asset: f.key, detector: c.detector },
    );
    const w = windows.get(f.key) ?? [];
    run.files.push({
      key: f.key,
      group: f.key.split('/')[0]!,
      timestamps: ts,
      windows: w,
      scores: res.anomaly,
      detections: res.detections,
    });
    for (const m of res.micros) run.micros.push(m);
    run.fallback += res.fallbackDecisions;
  }
  return run;
}

async function main(): Promise<void> {
  const a = benchArgs(process.argv.slice(2), 'nab');
  // CV replays every file once per candidate: be a good neighbour on a shared box.
  if (a.cv) setPriority(10);
  const [windows, profiles] = await Promise.all([loadNabWindows(a.data), loadNabProfiles(a.data)]);
  let keys = await listNabFiles(a.data);
  if (a.files.length) keys = keys.filter((k) => a.files.some((f) => k.includes(f)));
  keys = keys.slice(0, a.limit);
  const files = await Promise.all(keys.map((k) => loadNabFile(a.data, k)));
  const runner = await openReplayRunner();
  const grid = a.cv ? NAB_GRID : NAB_GRID.slice(0, 1);
  const runs: Run[] = [];
  const t0 = performance.now();
  for (const c of grid) {
    runs.push(await runCandidate(c, files, windows, runner));
    if (a.cv && !a.json) process.stderr.write(`candidate ${runs.length}/${grid.length} ${c.name}\n`);
  }
  const seconds = (performance.now() - t0) / 1000;
  await runner.stop();
  const def = runs[0]!;
  if (!a.json)
    for (const f of def.files)
      process.stdout.write(`${f.key}: ${f.timestamps.length} rows, ${Array.from(f.detections).filter(Boolean).length} alarms\n`);
  const sweep = nabSweepProfiles(def.files, profiles);
  const agent = agentStandard(def.files, profiles);
  const samples = files.reduce((s, f) => s + f.points.length, 0);
  const cv = a.cv
    ? nabCrossValidate(
        grid.map((c) => c.name),
        runs.map((r) => r.files),
        profiles['standard']!,
      )
    : undefined;
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
    fallbackDecisions: def.fallback,
    candidates: grid.length,
    seconds: round(seconds),
    samplesPerSecond: Math.round((samples * grid.length) / seconds),
    p99MicrosPerSample: round(percentile(def.micros, 99), 1),
    ...(cv
      ? {
          cv: {
            ...cv,
            meanStandard: round(cv.meanStandard),
            worstStandard: round(cv.worstStandard),
            meanAgentStandard: round(cv.meanAgentStandard),
            worstAgentStandard: round(cv.worstAgentStandard),
            pooledStandard: round(cv.pooledStandard),
            pooledAgentStandard: round(cv.pooledAgentStandard),
            perFold: cv.perFold.map((p) => ({
              ...p,
              threshold: round(p.threshold, 4),
              standard: p.standard === null ? null : round(p.standard),
              agentStandard: p.agentStandard === null ? null : round(p.agentStandard),
            })),
          },
        }
      : {}),
    ...machine(),
  };
  if (!a.json) {
    process.stdout.write(
      `NAB standard ${out.standard} (low FP ${out.reward_low_FP_rate}, low FN ${out.reward_low_FN_rate}); agent's own decisions ${out.agentStandard}\n`,
    );
    if (out.cv)
      process.stdout.write(
        `CV (${out.cv.folds} folders): standard mean ${out.cv.meanStandard}, worst ${out.cv.worstStandard}, pooled ${out.cv.pooledStandard}; agent mean ${out.cv.meanAgentStandard}, worst ${out.cv.worstAgentStandard}, pooled ${out.cv.pooledAgentStandard}; chosen on all: ${out.cv.chosenOnAll}\n`,
      );
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

benchMain(main);
