/**
 * A loader for Hugging Face `tokenizer.json` files, enough for the models the
 * explainer runs: our own WordLevel tokenizer (whitespace-split words and
 * placeholders) and the byte-level BPE of GPT-2-family models such as
 * SmolLM2 (bring-your-own). Nothing is downloaded: the file is local.
 */
import { EdgeError } from '../errors.js';

/** Encode text to ids and decode ids to text. */
export interface Tokenizer {
  readonly kind: 'wordlevel' | 'bpe';
  readonly vocabSize: number;
  encode(text: string): number[];
  decode(ids: number[]): string;
  /** Id of an exact token string (special or not), or undefined. */
  tokenId(token: string): number | undefined;
  /** Token string of an id, or undefined. */
  tokenOf(id: number): string | undefined;
}

interface TokenizerJson {
  added_tokens?: Array<{ id: number; content: string; special?: boolean }>;
  model?: { type?: string; vocab?: Record<string, number>; merges?: Array<string | [string, string]>; unk_token?: string };
  pre_tokenizer?: unknown;
}

/** GPT-2's byte → printable-unicode table, so every byte has a visible token character. */
function bytesToUnicode(): Map<number, string> {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return new Map(bs.map((b, i) => [b, String.fromCodePoint(cs[i] ?? b)]));
}

// GPT-2 pre-tokenisation pattern (contractions, letters, digits, punctuation, spaces).
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Parse a tokenizer.json text; throws EdgeError E_LM when it is not a supported tokenizer. */
export function parseTokenizer(json: string, source: string): Tokenizer {
  let t: TokenizerJson;
  try {
    t = JSON.parse(json) as TokenizerJson;
  } catch (err) {
    throw new EdgeError('E_LM', `tokenizer ${source}: not valid JSON`, { cause: err });
  }
  const vocab = t.model?.vocab;
  if (!vocab || typeof vocab !== 'object') throw new EdgeError('E_LM', `tokenizer ${source}: model.vocab missing`);
  const toId = new Map<string, number>(Object.entries(vocab));
  for (const a of t.added_tokens ?? []) toId.set(a.content, a.id);
  const toTok = new Map<number, string>();
  for (const [k, v] of toId) toTok.set(v, k);
  const special = new Set((t.added_tokens ?? []).filter((a) => a.special).map((a) => a.content));
  const base = {
    vocabSize: Math.max(...toTok.keys()) + 1,
    tokenId: (s: string) => toId.get(s),
    tokenOf: (id: number) => toTok.get(id),
  };
  const type = t.model?.type;
  if (type === 'WordLevel') {
    const unk = toId.get(t.model?.unk_token ?? '<unk>') ?? 0;
    return {
      ...base,
      kind: 'wordlevel',
      encode: (text) =>
        text
          .split(/\s+/)
          .filter(Boolean)
          .map((w) => toId.get(w) ?? unk),
      decode: (ids) =>
        ids
          .map((i) => toTok.get(i) ?? '')
          .filter((w) => w && !special.has(w))
          .join(' '),
    };
  }
  if (type === 'BPE') return bpeTokenizer(t, toId, toTok, special, base);
  throw new EdgeError('E_LM', `tokenizer ${source}: unsupported model type ${String(type)} (WordLevel or byte-level BPE)`);
}

function bpeTokenizer(
  t: TokenizerJson,
  toId: Map<string, number>,
  toTok: Map<number, string>,
  special: Set<string>,
  base: Pick<Tokenizer, 'vocabSize' | 'tokenId' | 'tokenOf'>,
): Tokenizer {
  const ranks = new Map<string, number>();
  (t.model?.merges ?? []).forEach((m, i) => ranks.set(Array.isArray(m) ? `${m[0]} ${m[1]}` : m, i));
  const b2u = bytesToUnicode();
  const u2b = new Map([...b2u].map(([b, u]) => [u, b]));
  const splitDigits = JSON.stringify(t.pre_tokenizer ?? '').includes('"Digits"');
  const cache = new Map<string, number[]>();
  const enc = new TextEncoder();
  const dec = new TextDecoder();

  const bpeWord = (word: string): number[] => {
    const hit = cache.get(word);
    if (hit) return hit;
    let parts = [...enc.encode(word)].map((b) => b2u.get(b) ?? '');
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < parts.length - 1; i++) {
        const r = ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), `${parts[best]}${parts[best + 1]}`, ...parts.slice(best + 2)];
    }
    const ids = parts.map((p) => toId.get(p) ?? 0);
    cache.set(word, ids);
    return ids;
  };
  const specials = [...special].sort((a, b) => b.length - a.length);
  const specialRe = specials.length ? new RegExp(`(${specials.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`) : null;

  return {
    ...base,
    kind: 'bpe',
    encode(text) {
      const out: number[] = [];
      for (const chunk of specialRe ? text.split(specialRe) : [text]) {
        if (!chunk) continue;
        const sid = special.has(chunk) ? toId.get(chunk) : undefined;
        if (sid !== undefined) {
          out.push(sid);
          continue;
        }
        for (const m of chunk.matchAll(GPT2_SPLIT)) {
          const pieces = splitDigits ? m[0].split(/(\d)/).filter(Boolean) : [m[0]];
          for (const p of pieces) out.push(...bpeWord(p));
        }
      }
      return out;
    },
    decode(ids) {
      const text = ids
        .map((i) => toTok.get(i) ?? '')
        .filter((s) => !special.has(s))
        .join('');
      return dec.decode(Uint8Array.from([...text].map((c) => u2b.get(c) ?? 63)));
    },
  };
}
