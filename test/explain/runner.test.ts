import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainWithModel } from '../../agent/explain/attempt.js';
import { builtinModelDir } from '../../agent/explain/explainer.js';
import { factsPromptTokens } from '../../agent/explain/prompt.js';
import { LmRunner } from '../../agent/explain/runner.js';
import { isEdgeError } from '../../agent/errors.js';
import type { AlertFacts } from '../../agent/types.js';
import { PUMP_DRIFT } from './fixtures/facts.js';

const facts: AlertFacts = PUMP_DRIFT;
const greedy = { maxTokens: 72, topK: 1, temperature: 1, seed: 0, stopIds: [], deadline: Infinity };

describe('LmRunner on the committed model', () => {
  let runner: LmRunner;
  beforeAll(async () => {
    runner = await LmRunner.load(builtinModelDir());
  });
  afterAll(async () => {
    await runner.release();
  });

  it('reads the Optimum I/O layout from the model', () => {
    expect(runner.info).toMatchObject({ layers: 3, kvHeads: 4, headDim: 32, delexicalised: true, hasPositionIds: true });
    expect(runner.info.id).toMatch(/^explain-lm@2\.0\.0\+[0-9a-f]{12}$/);
  });

  it('gives the same greedy output for a fixed input, every time', async () => {
    const prompt = factsPromptTokens(facts).map((t) => runner.tokenizer.tokenId(t) ?? -1);
    expect(prompt).not.toContain(-1);
    const a = await runner.generate(prompt, greedy);
    const b = await runner.generate(prompt, greedy);
    expect(b).toEqual(a);
    expect(a.stoppedBy).toBe('stop');
    expect(runner.tokenizer.decode(a.ids)).toBe(GREEDY_EXPECTED);
  });

  it('writes a summary that passes the verifier, reproducibly for a seed', async () => {
    const o = { maxTokens: 72, topK: 3, temperature: 0.7, seed: 7, retry: true, deadline: Infinity };
    const a = await explainWithModel(runner, facts, o);
    const b = await explainWithModel(runner, facts, o);
    expect(a.text).not.toBeNull();
    expect(a.text).toBe(b.text);
    expect(a.text).toContain('7.93 mm/s');
  });

  it('honours the token cap and the deadline', async () => {
    const prompt = factsPromptTokens(facts).map((t) => runner.tokenizer.tokenId(t) ?? 0);
    expect(await runner.generate(prompt, { ...greedy, maxTokens: 3 })).toMatchObject({ stoppedBy: 'cap' });
    const late = await runner.generate(prompt, { ...greedy, deadline: 0 });
    expect(late).toMatchObject({ stoppedBy: 'budget' });
    expect(late.ids.length).toBe(1);
  });
});

describe('LmRunner load errors are EdgeError E_LM, clear at start-up', () => {
  const dirs: string[] = [];
  const copyModel = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'lm-'));
    dirs.push(d);
    cpSync(builtinModelDir(), d, { recursive: true });
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each([
    ['missing folder', () => join(tmpdir(), 'no-such-model-dir'), /config\.json cannot be read/],
    [
      'corrupt onnx',
      () => {
        const d = copyModel();
        writeFileSync(join(d, 'onnx', 'model.onnx'), Buffer.from('this is not an onnx protobuf'));
        return d;
      },
      /not a loadable ONNX model/,
    ],
    [
      'wrong I/O names',
      () => {
        const d = copyModel();
        copyFileSync(new URL('./fixtures/wrong-io.onnx', import.meta.url), join(d, 'onnx', 'model.onnx'));
        return d;
      },
      /input "input_ids" missing/,
    ],
    [
      'bad tokenizer',
      () => {
        const d = copyModel();
        writeFileSync(join(d, 'tokenizer.json'), '{"model":{"type":"Unigram","vocab":{}}}');
        return d;
      },
      /unsupported model type Unigram/,
    ],
  ])('%s', async (_n, make, msg) => {
    const err: unknown = await LmRunner.load(make()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isEdgeError(err, 'E_LM')).toBe(true);
    expect((err as Error).message).toMatch(msg);
  });
});

// Pinned from the committed model: a retrained or corrupted model changes it.
const GREEDY_EXPECTED =
  'Gradual drift ( warning ) on <ASSET> : <SIGNAL_1> has risen to <VALUE_1> <UNIT_1> , <RATIO_1> its learned normal of <BASE_1> <UNIT_1> , for <DUR> now . <STEADY> looks normal .';
