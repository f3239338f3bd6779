import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfigFile, parseConfig } from '../config/load.js';
import { EdgeError } from '../errors.js';
import { openReplayRunner } from '../eval/replay.js';
import { createRootLogger } from '../observe/logger.js';
import { driveRecording } from '../report/driver.js';
import { renderReport } from '../report/html.js';
import { loadRecording } from '../report/load.js';
import { ProgressBar } from '../report/progress.js';
import { VERSION } from '../version.js';
import { args } from './args.js';

/**
 * `edge-sentinel replay FILE.csv [--config F] --report out.html [--learn ROWS]
 * [--asset NAME] [--k SPREADS] [--no-alerts] [--json]`: runs a recorded CSV
 * (NAB, SKAB or generic layout) through the real pipeline and writes one
 * self-contained HTML report.
 */
export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = args(
    argv,
    {
      config: { type: 'string', short: 'c' },
      report: { type: 'string', short: 'o' },
      learn: { type: 'string' },
      asset: { type: 'string' },
      k: { type: 'string' },
      'no-alerts': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    true,
  );
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new EdgeError('E_USAGE', 'replay needs exactly one CSV file');
  if (!values.report) throw new EdgeError('E_USAGE', 'replay needs --report out.html');
  const k = values.k === undefined ? 3 : Number(values.k);
  if (!(k > 0)) throw new EdgeError('E_USAGE', `--k must be a positive number of spreads (got ${values.k})`);
  const cfg = values.config ? loadConfigFile(values.config) : parseConfig({});
  const rec = await loadRecording(resolve(file), values.asset);
  const learnRows = values.learn === undefined ? rec.defaultLearnRows : Number(values.learn);
  if (!Number.isInteger(learnRows) || learnRows < 1 || learnRows >= rec.ts.length) {
    throw new EdgeError(
      'E_USAGE',
      `--learn must be a whole number of rows between 1 and ${rec.ts.length - 1} (got ${values.learn ?? learnRows})`,
    );
  }
  const log = createRootLogger(cfg.log.level === 'info' ? 'warn' : cfg.log.level, undefined);
  const runner = await openReplayRunner(cfg.assets.defaults.modelCard, log.child({ module: 'model' }));
  const bar = new ProgressBar('replay', rec.ts.length);
  let res;
  try {
    res = await driveRecording(rec, {
      config: cfg,
      learnRows,
      runner,
      log,
      alerts: !values['no-alerts'],
      onRow: (r, n) => bar.update(r + 1 === n ? n : r),
    });
  } finally {
    bar.done();
    await runner.stop();
  }
  const out = resolve(values.report);
  const html = renderReport(rec, res, {
    title: `edge-sentinel replay: ${rec.file.split('/').slice(-2).join('/')}`,
    generatedAt: new Date().toISOString(),
    agentVersion: VERSION,
    model: runner.id,
    learnRows,
    k,
  });
  writeFileSync(out, html);
  const summary = {
    type: 'replay',
    file: rec.file,
    layout: rec.layout,
    learnRows,
    assets: res.traces.map((t) => ({
      asset: t.asset,
      anomalousRows: t.anomalous.reduce((s, x) => s + x, 0),
      alertsOpened: t.alerts.filter((a) => a.state === 'open').length,
    })),
    ...res.stats,
    report: out,
    bytes: Buffer.byteLength(html),
  };
  process.stdout.write(
    values.json
      ? JSON.stringify(summary) + '\n'
      : `replayed ${summary.rows} rows (${rec.layout}, learning ${learnRows}) in ${(summary.ms / 1000).toFixed(1)} s: ${summary.assets.map((a) => `${a.asset}: ${a.anomalousRows} anomalous rows, ${a.alertsOpened} alerts`).join('; ')}\nreport: ${out} (${Math.round(summary.bytes / 1024)} KB)\n`,
  );
  return 0;
}
