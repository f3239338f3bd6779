/**
 * One line of the `doctor` report. `fail` blocks running (non-zero exit),
 * `warn` degrades it (exit 0), `skip` means a check could not run because an
 * earlier one failed (e.g. no valid config to read the broker from).
 */
export type FindingStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Finding {
  /** Stable id, e.g. `node`, `onnx.ep.cuda`, `broker.plant`; tests and scripts branch on it. */
  id: string;
  /** Short human label for the table. */
  title: string;
  status: FindingStatus;
  /** What was seen, one line. */
  detail: string;
  /** What to do about it; present for every warn and fail. */
  fix?: string;
  /** Extra lines (e.g. every config problem). */
  lines?: string[];
}

/** Builds a finding; keeps call sites short. */
export function finding(id: string, title: string, status: FindingStatus, detail: string, fix?: string, lines?: string[]): Finding {
  const f: Finding = { id, title, status, detail };
  if (fix !== undefined) f.fix = fix;
  if (lines?.length) f.lines = lines;
  return f;
}

/** True when any finding blocks running. */
export function blocking(findings: Finding[]): boolean {
  return findings.some((f) => f.status === 'fail');
}
