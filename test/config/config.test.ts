import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../agent/config/load.js';
import { configJsonSchema } from '../../agent/config/jsonschema.js';

const dir = mkdtempSync(join(tmpdir(), 'es-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('fills every default from an empty file', () => {
    const cfg = loadConfigFile(file('empty.yaml', ''));
    expect(cfg.plant.broker.url).toBe('mqtt://127.0.0.1:1883');
    expect(cfg.plant.broker.noDelay).toBe(true);
    expect(cfg.assets.defaults.deadlineMs).toBe(5);
    expect(cfg.observe.http.host).toBe('127.0.0.1');
    expect(cfg.plant.subscriptions[0]!.topic).toBe('plant/{asset}/{signal}');
  });

  it('reports every problem as path: message (got VALUE)', () => {
    const p = problems(() =>
      loadConfigFile(
        file(
          'bad.yaml',
          `plant:
  broker:
    url: http://nope
    keepaliveS: -1
assets:
  defaults:
    deadlineMs: 0
    learnSamples: 5
  overrides:
    P-1: { deadlineMs: "fast" }
bogus: 1
`,
        ),
      ),
    );
    expect(p).toContain('plant.broker.url: must be a broker URL such as mqtt://127.0.0.1:1883 (got "http://nope")');
    expect(p).toContain('plant.broker.keepaliveS: Too small: expected number to be >=0 (got -1)');
    expect(p).toContain('assets.defaults.deadlineMs: Too small: expected number to be >0 (got 0)');
    expect(p).toContain('assets.defaults.learnSamples: Too small: expected number to be >=20 (got 5)');
    expect(p).toContain('assets.overrides.P-1.deadlineMs: Invalid input: expected number, received string (got "fast")');
    expect(p).toContain('(root): Unrecognized key: "bogus" (got 1)');
    expect(p).toHaveLength(6);
  });

  it('reports YAML syntax errors with their position', () => {
    const p = problems(() => loadConfigFile(file('syntax.yaml', 'plant: [unclosed\n')));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^\(syntax\): .*line 2/);
  });

  it('reports a missing file', () => {
    expect(problems(() => loadConfigFile(join(dir, 'missing.yaml')))).toEqual([`(file): cannot read ${join(dir, 'missing.yaml')}: ENOENT`]);
  });

  it('substitutes ${ENV} and ${ENV:-default}, and says which variable is missing', () => {
    const cfg = parseConfig(
      { plant: { broker: { url: 'mqtt://${HOST}:${PORT:-1883}', password: '${PW}' } } },
      { HOST: 'broker.local', PW: 's3cret' },
    );
    expect(cfg.plant.broker.url).toBe('mqtt://broker.local:1883');
    expect(cfg.plant.broker.password).toBe('s3cret');
    expect(problems(() => parseConfig({ plant: { broker: { url: 'mqtt://${NOPE}' } } }, {}))).toEqual([
      'plant.broker.url: environment variable NOPE is not set (got ${NOPE})',
    ]);
  });

  it('never echoes a secret in an error', () => {
    const p = problems(() => parseConfig({ plant: { broker: { password: 12345 } } }, {}));
    expect(p).toEqual(['plant.broker.password: Invalid input: expected string, received number (got [redacted])']);
  });

  it('cross-checks topic mappings', () => {
    const p = problems(() =>
      parseConfig({
        plant: {
          subscriptions: [
            { topic: 'plant/line1/temp', decoder: 'number' },
            { topic: 'a/{x}/{x}', decoder: 'number' },
            { topic: 'plant/#', decoder: 'sparkplug' },
          ],
        },
      }),
    );
    expect(p).toEqual([
      'plant.subscriptions.0.asset: topic has no {asset} capture, so a fixed asset is required (got nothing)',
      'plant.subscriptions.0.signal: topic has no {signal} capture and no json.signals map, so a fixed signal is required (got nothing)',
      'plant.subscriptions.1.topic: a capture name is used twice (got "a/{x}/{x}")',
      'plant.subscriptions.2.topic: a sparkplug subscription must start with spBv1.0/ (got "plant/#")',
    ]);
  });

  it('overrides patch only what they name', () => {
    const cfg = parseConfig({ assets: { defaults: { learnSamples: 800 }, overrides: { 'P-101': { kind: 'pump' } } } });
    expect(cfg.assets.overrides['P-101']).toEqual({ kind: 'pump' });
  });

  it('exports a JSON Schema that describes the sections', () => {
    const s = configJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['agent', 'plant', 'assets', 'detect', 'observe']));
    expect(s.properties['plant']!.properties).toHaveProperty('broker');
  });
});
