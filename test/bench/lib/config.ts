import type { ConfigInput } from '../../../agent/config/schema.js';

/**
 * The one configuration both detection benches use for every file (only the
 * learning length follows each benchmark's protocol). The defaults of the
 * agent itself: nothing is tuned per file.
 */
export const BENCH_CONFIG: ConfigInput = {
  assets: { defaults: { deadlineMs: 5, stalenessMs: 3_600_000_000 } },
};

/** NAB rewards the first detection of each anomaly and bills every repeat: the "onset" episode profile. */
export const NAB_CONFIG: ConfigInput = { ...BENCH_CONFIG, detect: { episode: 'onset' } };

/**
 * SKAB's metric is per row (F1 over every anomalous row), so it uses the daemon's default
 * "continuous" episode profile: every anomalous sample is reported, no range rule.
 */
export const SKAB_CONFIG: ConfigInput = { ...BENCH_CONFIG, detect: { episode: 'continuous' } };
