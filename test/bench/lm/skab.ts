/**
 * Alert facts from replaying SKAB valve1 through the real pipeline and alert
 * lifecycle (agent/report/driver.ts): real sensor names (Accelerometer1RMS,
 * Volume Flow RateRMS...), units-free values, patterns the detector actually
 * diagnosed — the other half of the LM bench's held-out set.
 */
import { join } from 'node:path';
import { factsFromAlert } from '../../../agent/alerts/payload.js';
import { parseConfig } from '../../../agent/config/load.js';
import { resolveDatasetsDir } from '../../../agent/eval/csv.js';
import { listSkabFiles } from '../../../agent/eval/skab-data.js';
import { openReplayRunner } from '../../../agent/eval/replay.js';
import { driveRecording, loadRecording } from '../../../agent/report/index.js';
import type { AlertFacts } from '../../../agent/types.js';

export async function skabAlertFacts(dataDir = join(resolveDatasetsDir(), 'skab')): Promise<AlertFacts[]> {
  const cfg = parseConfig({ assets: { defaults: { deadlineMs: 10_000 } } });
  const runner = await openReplayRunner();
  const out: AlertFacts[] = [];
  try {
    for (const key of await listSkabFiles(dataDir)) {
      const rec = await loadRecording(join(dataDir, key));
      await driveRecording(rec, {
        config: cfg,
        learnRows: 400,
        runner,
        alerts: true,
        onBus: (bus) => bus.on('alert', (a) => out.push(factsFromAlert(a.payload, cfg))),
      });
    }
  } finally {
    await runner.stop();
  }
  return out;
}
