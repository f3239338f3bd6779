import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinModelDir } from '../../agent/explain/explainer.js';
import { parseTokenizer } from '../../agent/explain/tokenizer.js';
import { isEdgeError } from '../../agent/errors.js';

describe('tokenizer.json loader', () => {
  it('loads the shipped WordLevel tokenizer and round-trips placeholders', () => {
    const dir = builtinModelDir();
    const tok = parseTokenizer(readFileSync(join(dir, 'tokenizer.json'), 'utf8'), 'shipped');
    expect(tok.kind).toBe('wordlevel');
    const ids = tok.encode('<ASSET> : <SIGNAL_1> rose to <VALUE_1> <UNIT_1> .');
    expect(ids).not.toContain(tok.tokenId('<unk>'));
    expect(tok.decode(ids)).toBe('<ASSET> : <SIGNAL_1> rose to <VALUE_1> <UNIT_1> .');
    expect(tok.decode([tok.tokenId('<bos>')!, ...ids, tok.tokenId('<eos>')!])).toBe('<ASSET> : <SIGNAL_1> rose to <VALUE_1> <UNIT_1> .');
  });

  it('encodes and decodes byte-level BPE (GPT-2 / SmolLM2 family, for bring-your-own models)', () => {
    // A miniature GPT-2 style tokenizer: "Ġ" is the byte-level space.
    const json = JSON.stringify({
      added_tokens: [{ id: 9, content: '<|im_end|>', special: true }],
      pre_tokenizer: { type: 'ByteLevel' },
      model: {
        type: 'BPE',
        vocab: { h: 0, i: 1, Ġ: 2, t: 3, hi: 4, Ġt: 5, Ġth: 6, Ġthe: 7, e: 8, '°': 10, Â: 11, 'Â°': 12 },
        merges: ['h i', 'Ġ t', 'Ġt h', 'Ġth e', 'Â °'],
      },
    });
    const tok = parseTokenizer(json, 'mini');
    expect(tok.kind).toBe('bpe');
    expect(tok.encode('hi the<|im_end|>')).toEqual([4, 7, 9]);
    expect(tok.decode([4, 7, 9])).toBe('hi the');
    expect(tok.decode(tok.encode('°'))).toBe('°'); // multi-byte UTF-8 survives the byte mapping
  });

  it('rejects what it cannot load with E_LM', () => {
    for (const bad of ['not json', '{"model":{}}', '{"model":{"type":"Unigram","vocab":{"a":0}}}']) {
      let err: unknown;
      try {
        parseTokenizer(bad, 'bad');
      } catch (e) {
        err = e;
      }
      expect(isEdgeError(err, 'E_LM')).toBe(true);
    }
  });

  it('ships a model card whose sha256 matches the committed model', () => {
    const dir = builtinModelDir();
    const card = JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8')) as {
      sha256: string;
      bytes: number;
      inputs: Array<{ name: string }>;
    };
    const bytes = readFileSync(join(dir, 'onnx', 'model.onnx'));
    expect(card.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(card.bytes).toBe(bytes.length);
    expect(bytes.length).toBeLessThanOrEqual(10 * 2 ** 20);
    expect(card.inputs.map((i) => i.name).slice(0, 4)).toEqual(['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key']);
  });
});
