/**
 * bench:skab — the agent's detector on a SKAB-layout folder, scored with
 * SKAB's own metrics (agent/eval/skab-score.ts).
 *
 *   npm run bench:skab -- [--data DIR] [--json] [--limit N] [--files a,b] [--cv]
 *
 * Each file is replayed row by row through the real Pipeline; its first 400
 * rows are the learning phase, the rest is scored: F1/FAR/MAR over all test
 * rows concatenated, and SKAB's changepoint NAB variant. The anomaly-free
 * file, when present, is replayed the same way and scored as all normal (it
 * only adds to FAR: hours of normal operation with slow drifts). The daemon's
 * default settings for every file; nothing is tuned per file.
 *
 * --cv: nested leave-one-file-out over the candidate grid (test/bench/lib/grid.ts,
 * agent/eval/skab-cv.ts); each (candidate, file) is replayed once and cached,
 * the process runs at nice 10. With --json the last stdout line is one JSON object.
 */
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { listSkabFiles, loadSkabFile, SKAB_TRAIN_ROWS, type SkabFile } from '../../agent/eval/skab-data.js';
import { skabChangepoints, skabNab, type SkabNabPart } from '../../agent/eval/skab-score.js';
import { pool, rates, skabCrossValidate, type SkabFileCounts } from '../../agent/eval/skab-cv.js';
import { openReplayRunner, percentile, replaySeries } from '../../agent/eval/replay.js';
import type { ModelRunner } from '../../agent/detect/model.js';
import { benchMain } from './lib/args.js';
import { benchArgs, machine, round } from './lib/common.js';
import { SKAB_CONFIG } from './lib/config.js';
import { SKAB_GRID, type Candidate } from './lib/grid.js';

const FREE = 'anomaly-free/anomaly-free.csv';

interface Run {
  counts: SkabFileCounts[];
  changepoints: SkabNabPart[];
  micros: number[];
}

async function loadFiles(data: string, only: string[], limit: number): Promise<SkabFile[]> {
  let keys = [...(await listSkabFiles(data)), FREE];
  if (only.length) keys = keys.filter((k) => only.some((f) => k.includes(f)));
  const out: SkabFile[] = [];
  for (const k of keys.slice(0, limit)) {
    const f = await loadSkabFile(data, k).catch((err: unknown) => {
      // The anomaly-free file is optional (a partial download); a labelled file is not.
      if (k === FREE && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    });
    if (f) out.push(f);
  }
  return out;
}

/** Replays every file under one candidate and counts its test part. */
async function runCandidate(c: Candidate, files: readonly SkabFile[], runner: ModelRunner): Promise<Run> {
  const run: Run = { counts: [], changepoints: [], micros: [] };
  for (const f of files) {
    const res = await replaySeries(
      { ts: f.ts, signals: f.signals },
      { learnRows: SKAB_TRAIN_ROWS, runner, config: SKAB_CONFIG, asset: f.key, detector: c.detector },
    );
    const pred = res.detections.subarray(SKAB_TRAIN_ROWS);
    const truth = f.anomaly?.subarray(SKAB_TRAIN_ROWS);
    const k = { key: f.key, labelled: truth !== undefined, tp: 0, tn: 0, fp: 0, fn: 0 };
    for (let i = 0; i < pred.length; i++) {
      const t = truth?.[i] === 1;
      if (pred[i] && t) k.tp++;
      else if (pred[i]) k.fp++;
      else if (t) k.fn++;
      else k.tn++;
    }
    run.counts.push(k);
    if (f.changepoint)
      run.changepoints.push({
        ts: f.ts.slice(SKAB_TRAIN_ROWS),
        trueCp: f.changepoint.slice(SKAB_TRAIN_ROWS),
        predCp: skabChangepoints(pred),
      });
    for (const m of res.micros) run.micros.push(m);
  }
  return run;
}

const pct = (r: { f1: number; far: number; mar: number }): { f1: number; far: number; mar: number } => ({
  f1: round(r.f1, 3),
  far: round(r.far, 2),
  mar: round(r.mar, 2),
});

async function main(): Promise<void> {
  const a = benchArgs(process.argv.slice(2), 'skab');
  // CV replays every file once per candidate: be a good neighbour on a shared box.
  if (a.cv) setPriority(10);
  const files = await loadFiles(a.data, a.files, a.limit);
  const runner = await openReplayRunner();
  const grid = a.cv ? SKAB_GRID : SKAB_GRID.slice(0, 1);
  const runs: Run[] = [];
  const t0 = performance.now();
  for (const c of grid) {
    runs.push(await runCandidate(c, files, runner));
    if (a.cv && !a.json) process.stderr.write(`candidate ${runs.length}/${grid.length} ${c.name}\n`);
  }
  const seconds = (performance.now() - t0) / 1000;
  await runner.stop();
  const def = runs[0]!;
  if (!a.json) {
    for (const k of def.counts) {
      const r = rates(k);
      process.stdout.write(`${k.key}: F1 ${round(r.f1, 3)} FAR ${round(r.far, 1)}% MAR ${round(r.mar, 1)}%\n`);
    }
  }
  const labelled = def.counts.filter((k) => k.labelled);
  const free = def.counts.find((k) => !k.labelled);
  const out = {
    ...pct(rates(pool(def.counts))),
    labelled: pct(rates(pool(labelled))),
    anomalyFreeFar: free ? round(rates(free).far, 2) : null,
    nabStandard: round(skabNab(def.changepoints).standard, 2),
    files: def.counts.length,
    samples: files.reduce((s, f) => s + f.ts.length, 0),
    candidates: grid.length,
    seconds: round(seconds),
    p99MicrosPerSample: round(percentile(def.micros, 99), 1),
    ...(a.cv
      ? {
          cv: roundCv(
            skabCrossValidate(
              grid.map((c) => c.name),
              runs.map((r) => r.counts),
            ),
          ),
        }
      : {}),
    ...machine(),
  };
  if (!a.json) {
    process.stdout.write(
      `SKAB F1 ${out.f1}, FAR ${out.far}%, MAR ${out.mar}% (labelled files: ${out.labelled.f1} / ${out.labelled.far}% / ${out.labelled.mar}%; anomaly-free FAR ${out.anomalyFreeFar}%), changepoint NAB ${out.nabStandard}\n`,
    );
    if (out.cv)
      process.stdout.write(
        `CV (${out.cv.folds} folds): mean F1 ${out.cv.meanF1}, mean FAR ${out.cv.meanFar}%, mean MAR ${out.cv.meanMar}%, worst F1 ${out.cv.worstF1}, worst FAR ${out.cv.worstFar}%; chosen on all files: ${out.cv.chosenOnAll}\n`,
      );
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function roundCv(cv: ReturnType<typeof skabCrossValidate>): ReturnType<typeof skabCrossValidate> {
  return {
    ...cv,
    meanF1: round(cv.meanF1, 3),
    meanFar: round(cv.meanFar, 2),
    meanMar: round(cv.meanMar, 2),
    worstF1: round(cv.worstF1, 3),
    worstFar: round(cv.worstFar, 2),
    pooled: pct(cv.pooled),
    perFold: cv.perFold.map((p) => ({ ...p, ...pct(p) })),
  };
}

benchMain(main);
