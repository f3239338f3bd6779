import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { builtinCardPath, loadCard } from '../../agent/detect/card.js';
import { fitPca, scorePcaJs } from '../../agent/detect/fit.js';
import { ModelRunner } from '../../agent/detect/model.js';
import { rng } from '../bench/lib/inject.js';

const log = pino({ level: 'silent' });

describe('ONNX scorer equals the JS reference maths', () => {
  it('scores a batch of assets with different shapes like scorePcaJs', async () => {
    const r = rng(3);
    const runner = new ModelRunner(builtinCardPath(), { threads: 1, executionProviders: ['cpu'] }, log);
    await runner.start();
    try {
      const rows = [];
      for (const F of [4, 12, 32]) {
        const n = 200;
        const data = new Float64Array(n * F);
        for (let i = 0; i < n * F; i++) data[i] = r() + (i % F) * 0.1 * r();
        const p = fitPca(data, n, F);
        const x = Float32Array.from({ length: F }, () => r() * 3);
        rows.push({ params: p, x });
      }
      const res = await runner.score(rows);
      for (const [b, row] of rows.entries()) {
        const js = scorePcaJs(row.params, row.x, 0, { t2: 0, q: 0 });
        expect(res.scores[b]).toBeCloseTo(js, 2);
        expect(Math.abs(res.scores[b]! - js) / Math.max(1, js)).toBeLessThan(1e-4);
      }
    } finally {
      await runner.stop();
    }
  });
});

describe('a user model with a card fails clearly at start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'es-card-'));
  const builtin = JSON.parse(readFileSync(builtinCardPath(), 'utf8')) as Record<string, unknown>;
  const onnx = readFileSync(join(builtinCardPath(), '..', 'pca-t2q.onnx'));
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  const card = (name: string, over: Record<string, unknown>, bytes: Buffer): string => {
    writeFileSync(join(dir, `${name}.onnx`), bytes);
    const p = join(dir, `${name}.card.json`);
    writeFileSync(p, JSON.stringify({ ...builtin, file: `${name}.onnx`, sha256: sha(bytes), ...over }));
    return p;
  };
  const start = (p: string): Promise<void> => new ModelRunner(p, { threads: 1, executionProviders: ['cpu'] }, log).start();

  it('corrupt file with a matching sha256 → E_MODEL_LOAD', async () => {
    const p = card('corrupt', {}, Buffer.from('this is not an onnx protobuf'));
    await expect(start(p)).rejects.toMatchObject({ code: 'E_MODEL_LOAD' });
  });

  it('file replaced after the card was written → sha256 mismatch', () => {
    const p = card('swapped', { sha256: 'a'.repeat(64) }, onnx);
    expect(() => loadCard(p)).toThrow(/sha256 .* does not match/);
  });

  it('wrong input rank → E_MODEL_SHAPE naming the input', async () => {
    const inputs = (builtin['inputs'] as Array<{ name: string; shape: unknown[] }>).map((i) =>
      i.name === 'P' ? { ...i, shape: ['batch', 'features'] } : i,
    );
    const p = card('rank', { inputs }, onnx);
    await expect(start(p)).rejects.toThrow(/input "P" has rank 3, card says 2/);
  });

  it('a feature-scorer card on a graph without the declared I/O → E_MODEL_SHAPE', async () => {
    const p = card(
      'kind',
      {
        kind: 'feature-scorer',
        outputs: [
          { name: 'score', dtype: 'float32', shape: ['batch'] },
          { name: 'anomaly', dtype: 'float32', shape: ['batch'] },
        ],
        inputs: [
          { name: 'features', dtype: 'float32', shape: ['batch', 'features'] },
          { name: 'x', dtype: 'float32', shape: ['batch', 'features'] },
        ],
      },
      onnx,
    );
    await expect(start(p)).rejects.toMatchObject({ code: 'E_MODEL_SHAPE' });
  });

  it('wrong dtype in the card → E_MODEL_CARD', () => {
    const inputs = (builtin['inputs'] as Array<{ name: string }>).map((i) => (i.name === 'x' ? { ...i, dtype: 'float64' } : i));
    const p = card('dtype', { inputs }, onnx);
    expect(() => loadCard(p)).toThrow(/inputs\.0\.dtype/);
  });
});
