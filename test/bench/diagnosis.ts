/**
 * bench:diagnosis — does a detection name the right pattern and signal?
 *
 *   npx tsx test/bench/diagnosis.ts [--json] [--n PER_PATTERN] [--seed S]
 *
 * A seeded set of three-signal series, each with one injected anomaly of a
 * known pattern on a known signal, is replayed through the real Pipeline
 * (agent/eval/replay.ts; the default detector without its refractory, so
 * episode handling does not hide the onset). The diagnosis of the
 * last detection inside the fault (what the alert says at its last update) is
 * compared with the truth; a fault
 * that is never detected counts as "missed". Prints a confusion matrix; with
 * --json the last stdout line is one JSON object.
 */
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../../agent/config/load.js';
import { alertLives } from '../../agent/eval/alert-life.js';
import { openReplayRunner, replaySeries } from '../../agent/eval/replay.js';
import { benchMain, parseBenchArgs } from './lib/args.js';
import { machine, round } from './lib/common.js';
import { INJECTED, makeCase } from './lib/inject.js';

async function main(): Promise<void> {
  const a = parseBenchArgs('bench:diagnosis', process.argv.slice(2), {
    json: { type: 'boolean', help: 'last stdout line is one JSON object' },
    n: { type: 'string', help: 'cases per pattern (default 30)' },
    seed: { type: 'string', help: 'generator seed (default 1)' },
  });
  const per = a.num('n', 30, { min: 1, integer: true });
  const seed = a.num('seed', 1, { integer: true });
  const json = a.flag('json');
  const runner = await openReplayRunner();
  const cols = [...INJECTED, 'unknown', 'missed'];
  const matrix: Record<string, Record<string, number>> = Object.fromEntries(
    INJECTED.map((p) => [p, Object.fromEntries(cols.map((c) => [c, 0]))]),
  );
  let right = 0;
  let signalRight = 0;
  let detected = 0;
  let total = 0;
  // Pattern stability: every alert (the daemon's lifecycle, default alerts config) that overlaps the fault.
  const alertsCfg = parseConfig({}).alerts;
  let alerts = 0;
  let stable = 0;
  let sentStable = 0;
  let alertRight = 0;
  const unstable: Record<string, number> = {};
  const t0 = performance.now();
  for (const [pi, pattern] of INJECTED.entries()) {
    for (let k = 0; k < per; k++) {
      const c = makeCase(seed * 100_000 + pi * 1000 + k, pattern, k % 3);
      const res = await replaySeries(
        { ts: c.ts, signals: c.signals },
        { learnRows: 600, runner, asset: `case-${pi}-${k}`, detector: { refractory: 0 } },
      );
      total++;
      // The alert's diagnosis as it stands at its last update inside the fault (alerts re-diagnose on update).
      const hit = res.decisions.slice(c.onset, c.onset + 80).findLast((d) => d.anomalous);
      const got = hit?.diagnosis?.pattern ?? 'missed';
      matrix[pattern]![got] = (matrix[pattern]![got] ?? 0) + 1;
      if (hit) detected++;
      if (got === pattern) right++;
      if (hit?.diagnosis?.signals[0] === c.signal) signalRight++;
      for (const life of alertLives(res.decisions, alertsCfg)) {
        const end = life.resolveRow < 0 ? Infinity : life.resolveRow;
        if (end < c.onset || life.openRow >= c.onset + c.len) continue;
        alerts++;
        if (life.patterns.length === 1) stable++;
        else unstable[`${pattern}: ${life.patterns.join('>')}`] = (unstable[`${pattern}: ${life.patterns.join('>')}`] ?? 0) + 1;
        if (life.sent.length === 1) sentStable++;
        if (life.patterns.at(-1) === pattern) alertRight++;
      }
    }
  }
  await runner.stop();
  const out = {
    accuracy: round(right / total, 3),
    accuracyOfDetected: round(right / Math.max(1, detected), 3),
    signalAccuracy: round(signalRight / Math.max(1, detected), 3),
    detected: round(detected / total, 3),
    cases: total,
    alerts,
    patternStable: round(stable / Math.max(1, alerts), 3),
    sentPatternStable: round(sentStable / Math.max(1, alerts), 3),
    alertAccuracy: round(alertRight / Math.max(1, alerts), 3),
    unstable,
    seed,
    seconds: round((performance.now() - t0) / 1000),
    confusion: matrix,
    ...machine(),
  };
  if (!json) {
    process.stdout.write(`truth \\ diagnosed: ${cols.join(' ')}\n`);
    for (const p of INJECTED) process.stdout.write(`${p.padEnd(16)} ${cols.map((c) => String(matrix[p]![c])).join(' ')}\n`);
    process.stdout.write(
      `accuracy ${out.accuracy} (of detected ${out.accuracyOfDetected}), signal named right ${out.signalAccuracy}, detected ${out.detected}\n`,
    );
    process.stdout.write(
      `alerts ${alerts}: one pattern from open to resolve ${out.patternStable} (sent transitions ${out.sentPatternStable}), final pattern right ${out.alertAccuracy}\n`,
    );
    for (const [k, v] of Object.entries(unstable)) process.stdout.write(`  ${v}x ${k}\n`);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

benchMain(main);
