/**
 * Public entry of the replay report:
 *   const rec = await loadRecording('valve1/0.csv');
 *   const res = await driveRecording(rec, { config, learnRows: rec.defaultLearnRows });
 *   writeFileSync('out.html', renderReport(rec, res, meta));
 * `edge-sentinel replay` (agent/cli/replay.ts) does exactly this.
 */
export { loadRecording, detectLayout, parseTimeCell, type Recording, type Layout, type LabelWindow } from './load.js';
export { driveRecording, type DriveOptions, type DriveResult, type AssetTrace, type AlertMark } from './driver.js';
export { renderReport, reportData, type ReportMeta } from './html.js';
export { ProgressBar } from './progress.js';
