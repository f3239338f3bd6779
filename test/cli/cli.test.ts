import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'es-cli-'));

/** Runs the CLI from its TypeScript sources (no build needed), like a user would run the bin. */
function cli(args: string[], timeoutMs = 30_000) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'agent/cli/main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('edge-sentinel CLI', () => {
  it('validate: exit 0 on a valid file', () => {
    const f = join(dir, 'ok.yaml');
    writeFileSync(f, 'agent:\n  site: plant-7\nassets:\n  defaults:\n    deadlineMs: 4\n');
    const r = cli(['validate', f]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${f}: valid\n`);
  });

  it('validate: a removed key (alerts.instantMs) is a warning saying what replaced it, not "unrecognized key"', () => {
    const f = join(dir, 'old.yaml');
    writeFileSync(f, 'alerts:\n  openAfter: 3\n  instantMs: 10\n');
    const r = cli(['validate', f]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(
      /^warning: alerts\.instantMs: removed: alert hysteresis now counts asset scans .*Delete the key.*scanCloseMs.* \(got 10\)$/,
    );
    expect(lines[1]).toBe(`${f}: valid (1 warning)`);
    expect(r.out).not.toMatch(/nrecognized/);
    // With a real problem too: both are printed, the file is invalid.
    writeFileSync(f, 'alerts:\n  instantMs: 10\n  openAfter: 0\n');
    const bad = cli(['validate', f]);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/^warning: alerts\.instantMs: removed/);
    expect(bad.out).toMatch(/alerts\.openAfter: .*\(got 0\)/);
  });

  it('validate: exit 2 and every problem as path: message (got VALUE)', () => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'plant:\n  broker:\n    url: ftp://x\nassets:\n  defaults:\n    deadlineMs: -3\n');
    const r = cli(['validate', f]);
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n')).toEqual([
      'plant.broker.url: must be a broker URL such as mqtt://127.0.0.1:1883 (got "ftp://x")',
      'assets.defaults.deadlineMs: Too small: expected number to be >0 (got -3)',
    ]);
    expect(r.err).toBe(`${f}: invalid\n`);
  });

  it('schema: prints the JSON Schema of the config; --alert of the alert payload', () => {
    const cfg = JSON.parse(cli(['schema']).out) as { properties: Record<string, unknown> };
    expect(Object.keys(cfg.properties)).toContain('plant');
    const alert = JSON.parse(cli(['schema', '--alert']).out) as { properties: Record<string, unknown> };
    expect(Object.keys(alert.properties)).toEqual(
      expect.arrayContaining(['v', 'id', 'asset', 'state', 'severity', 'evidence', 'diagnosis', 'summary']),
    );
  });

  it('usage errors exit 2', () => {
    expect(cli(['nope']).code).toBe(2);
    expect(cli(['demo', '--bogus']).code).toBe(2);
    expect(cli(['--version']).out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('demo --duration --json: learns, detects the injected faults, and exits 0', () => {
    const f = join(dir, 'demo.yaml');
    writeFileSync(
      f,
      `agent: { stateDir: ${join(dir, 'demo-state')} }
log: { level: warn }
plant: { broker: { url: "mqtt://127.0.0.1:1", protocolVersion: 4 } }
assets: { defaults: { learnSamples: 100 }, units: { vibration: mm/s, pressure: bar } }
observe: { http: { port: 0 } }
sim: { enabled: true, embeddedBroker: true, rateHz: 20, speed: 4 }
`,
    );
    const r = cli(['demo', '--duration', '16', '--json', '--config', f], 60_000);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { type: string; asset?: string; diagnosis?: { signals: string[] }; latencyUs?: number | { p99: number } },
      );
    expect(
      lines
        .filter((l) => l.type === 'phase')
        .map((l) => l.asset)
        .sort(),
    ).toEqual(['M-201', 'P-101']);
    const dets = lines.filter((l) => l.type === 'detection');
    // The first fault of the timeline is cavitation on P-101 (pressure, vibration, flow).
    const cav = dets.filter((d) => d.asset === 'P-101' && d.diagnosis!.signals.some((s) => ['pressure', 'vibration', 'flow'].includes(s)));
    expect(cav.length).toBeGreaterThan(0);
    const summary = lines.at(-1)!;
    expect(summary.type).toBe('summary');
    expect(summary).toMatchObject({ decisions: expect.any(Number), samplesIn: expect.any(Number) });
    expect((summary.latencyUs as { p99: number }).p99).toBeGreaterThan(0);
  }, 90_000);
});
