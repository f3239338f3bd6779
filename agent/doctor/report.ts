import { blocking, type Finding, type FindingStatus } from './finding.js';

const LABEL: Record<FindingStatus, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/**
 * The human report: one row per check, a `fix:` line under every warning and
 * failure, and a verdict. Plain text (no colours) so it survives a serial
 * console, journald and copy-paste into an issue.
 */
export function renderTable(findings: Finding[], header: string): string {
  const w = Math.max(5, ...findings.map((f) => f.title.length));
  const lines = [header, '', `  ${'STATUS'.padEnd(6)}  ${'CHECK'.padEnd(w)}  DETAIL`];
  const indent = ' '.repeat(2 + 6 + 2 + w + 2);
  for (const f of findings) {
    lines.push(`  ${LABEL[f.status].padEnd(6)}  ${f.title.padEnd(w)}  ${f.detail}`);
    for (const l of f.lines ?? []) lines.push(`${indent}- ${l}`);
    if (f.fix && (f.status === 'warn' || f.status === 'fail')) lines.push(`${indent}fix: ${f.fix}`);
  }
  lines.push('', verdict(findings));
  return lines.join('\n') + '\n';
}

/** One-line summary; the exit code follows the same rule (any fail blocks). */
export function verdict(findings: Finding[]): string {
  const fails = findings.filter((f) => f.status === 'fail').length;
  const warns = findings.filter((f) => f.status === 'warn').length;
  const w = `${warns} warning${warns === 1 ? '' : 's'}`;
  if (blocking(findings))
    return `result: ${fails} blocking problem${fails === 1 ? '' : 's'}, ${w}: fix the FAIL lines before starting the agent`;
  return `result: ready to run, ${w}`;
}

/** The `--json` document: stable ids and statuses for scripts and fleet tooling. */
export function renderJson(findings: Finding[], version: string): string {
  return JSON.stringify({ version, ok: !blocking(findings), findings }) + '\n';
}
