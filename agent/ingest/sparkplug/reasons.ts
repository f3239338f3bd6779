/**
 * What the Sparkplug host counts, by reason: a fixed list, so the counters
 * can live in the shared stats buffer the hot thread writes and /metrics
 * reads (observe/stats.ts). Events (births, deaths, rebirth requests) and
 * values not used (each with why).
 */
export const SPARKPLUG_REASONS = [
  'node_birth',
  'device_birth',
  'node_death',
  'device_death',
  'stale_death',
  'seq_gap',
  'no_birth',
  'unknown_alias',
  'null_value',
  'type_change',
  'missing_value',
  'untyped_birth_metric',
  'excluded_control',
  'excluded_property',
  'excluded_template',
  'excluded_non_numeric',
  'compressed',
  'compressed_bad',
  'rebirth_requested',
  'rebirth_suppressed',
] as const;

export type SparkplugReason = (typeof SPARKPLUG_REASONS)[number];
