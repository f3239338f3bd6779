import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainSection } from '../../agent/config/sections/explain.js';
import type * as ExplainerModule from '../../agent/explain/explainer.js';
import { builtinModelDir } from '../../agent/explain/explainer.js';
import type { AlertFacts } from '../../agent/types.js';

// The worker must also run from compiled JS (dist/), where there is no tsx:
// compile the explain stage alone and run an explainer from the output.
const root = new URL('../../', import.meta.url).pathname;
// Under node_modules so the compiled files resolve onnxruntime-node and pino like dist/ does.
const out = join(root, 'node_modules', '.cache', 'explain-dist-test');

const facts: AlertFacts = {
  asset: 'K-7',
  assetKind: 'compressor',
  site: 's',
  state: 'open',
  severity: 'warning',
  pattern: 'level_shift',
  durationS: 95,
  moved: [{ name: 'oil_pressure', unit: 'bar', value: 1.9, baseline: 3.4, ratio: 0.56, z: -7, direction: 'down' }],
  steady: [],
};

describe('explain worker from compiled JS', () => {
  beforeAll(async () => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const tsconfig = join(out, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: { outDir: out, rootDir: root, noEmit: false, declaration: false, sourceMap: false },
        include: [],
        files: [join(root, 'agent/explain/explainer.ts'), join(root, 'agent/explain/worker.ts')],
      }),
    );
    await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { cwd: root });
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('starts the compiled worker.js and ships an LM summary', async () => {
    const compiled = join(out, 'agent/explain/explainer.js');
    expect(existsSync(join(out, 'agent/explain/worker.js'))).toBe(true);
    const mod = (await import(compiled)) as typeof ExplainerModule;
    const ex = mod.createExplainer(
      explainSection.parse({ mode: 'lm', modelDir: builtinModelDir(), budgetMs: 3000 }),
      pino({ level: 'silent' }),
    );
    await ex.start();
    try {
      const s = await ex.explain(facts);
      expect(s.source).toBe('lm');
      expect(s.text).toContain('1.9 bar');
    } finally {
      await ex.stop();
    }
  });
});
