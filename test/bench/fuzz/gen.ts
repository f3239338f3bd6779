/**
 * The fuzz bench's payload generators: hostile and malformed MQTT messages for the agent's subscriptions
 * (test/bench/fuzz.ts), drawn from a seeded PRNG so a run repeats exactly. Each case is [kind, topic, payload].
 * Topics: `<tag>/j/{asset}/{signal}` (JSON, value + ts), `<tag>/m/{asset}` (JSON, several signals),
 * `<tag>/n/{asset}/{signal}` (plain number), `spBv1.0/<tag>/…` (Sparkplug B).
 */
import { encodePayload, type UMetric, type UPayload } from '../../../agent/sparkplug/codec.js';

export type Rng = () => number;
export type Case = [kind: string, topic: string, payload: Buffer];

const pick = <T>(u: Rng, xs: readonly T[]): T => xs[Math.floor(u() * xs.length)]!;
const int = (u: Rng, n: number): number => Math.floor(u() * n);

/** Numbers in every notation, valid JSON or not. */
const NOTATIONS = [
  '0',
  '-0',
  '1',
  '12.5',
  '1e308',
  '1e309',
  '-1e309',
  '1E-400',
  '4.9e-324',
  '0x1F',
  '0b101',
  '0o17',
  '1_000',
  '.5',
  '5.',
  '+1',
  '00012',
  '1e+2',
  '123456789012345678901234567890',
  '9007199254740993',
  'NaN',
  'Infinity',
  '-Infinity',
  '"12.5"',
  '" 12 "',
  '"1e3"',
  '"0x10"',
  '"٣"',
  '"１２"',
  '12abc',
  '1.2.3',
  '--1',
  '1e',
  'e1',
  '"NaN"',
  '"Infinity"',
  'true',
  'null',
  '[]',
  '{}',
  '[1]',
  '"" ',
] as const;

const TS = [
  () => String(Date.now()),
  () => String(Date.now() + 86_400_000), // a day in the future
  () => String(Date.now() + 120_000),
  () => '-1',
  () => '0',
  () => '1e300',
  () => '"2026-12-01T10:00:00Z"',
  () => '"2026-13-45T99:99:99Z"',
  () => '"yesterday"',
  () => 'null',
  () => '{"$date":1}',
  () => String(Date.now() / 1000), // seconds, not ms
] as const;

function deep(u: Rng): string {
  const d = 1 + int(u, u() < 0.99 ? 200 : 100_000);
  return u() < 0.5 ? `${'['.repeat(d)}1${']'.repeat(d)}` : `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`;
}

function hugeArray(u: Rng): string {
  const n = u() < 0.99 ? int(u, 1000) : int(u, 100_000);
  return `[${Array.from({ length: n }, (_, i) => (i % 7 === 0 ? '"x"' : String(i * 0.5))).join(',')}]`;
}

function randomBytes(u: Rng, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(u, 256);
  return b;
}

/** Invalid UTF-8: overlong forms, lone continuation bytes, surrogates, truncated sequences, inside otherwise valid JSON. */
function badUtf8(u: Rng): Buffer {
  const bad = pick(u, [[0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0xff, 0xfe], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]);
  const at = pick(u, ['key', 'value', 'string', 'bom']);
  const b = Buffer.from(bad);
  if (at === 'bom') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"value":1,"ts":${Date.now()}}`)]);
  if (at === 'key') return Buffer.concat([Buffer.from('{"'), b, Buffer.from(`":1,"value":2,"ts":${Date.now()}}`)]);
  if (at === 'string') return Buffer.concat([Buffer.from('{"value":"'), b, Buffer.from('"}')]);
  return Buffer.concat([Buffer.from('{"value":1'), b, Buffer.from('}')]);
}

function mutate(u: Rng, b: Buffer): Buffer {
  const out = Buffer.from(b);
  const op = int(u, 4);
  if (op === 0) return out.subarray(0, int(u, out.length + 1)); // truncate
  if (op === 1) {
    for (let k = 1 + int(u, 4); k > 0 && out.length > 0; k--) {
      const i = int(u, out.length);
      out[i] = out[i]! ^ (1 << int(u, 8));
    }
    return out;
  }
  if (op === 2)
    return Buffer.concat([out.subarray(0, int(u, out.length + 1)), randomBytes(u, 1 + int(u, 8)), out.subarray(int(u, out.length + 1))]);
  const i = int(u, out.length + 1);
  return Buffer.concat([out.subarray(0, i), out.subarray(i + 1 + int(u, 4))]); // delete
}

const SIG = ['s0', 's1', 's2'] as const;

function jsonCase(u: Rng, tag: string): Case {
  const asset = `j${int(u, 20)}`;
  const topic = `${tag}/j/${asset}/${pick(u, SIG)}`;
  const ts = pick(u, TS)();
  const r = int(u, 8);
  let text: string;
  if (r === 0) text = `{"value":${pick(u, NOTATIONS)},"ts":${ts}}`;
  else if (r === 1) text = `{"value":${deep(u)},"ts":${ts}}`;
  else if (r === 2) text = `{"value":${hugeArray(u)},"ts":${ts}}`;
  else if (r === 3) text = deep(u);
  else if (r === 4)
    text = `{"ts":${ts}}`; // value missing
  else if (r === 5) text = pick(u, ['null', '[]', '""', '1', '"value"', '{"value":{"value":1}}', `{"value":1,"value":"dup","ts":${ts}}`]);
  else if (r === 6)
    text = `{"value":${(u() * 100).toFixed(3)},"ts":${ts}}`; // mostly valid: reaches the window
  else text = `{"value":"${'9'.repeat(int(u, 5000))}","ts":${ts}}`;
  return ['json', topic, Buffer.from(text)];
}

function multiCase(u: Rng, tag: string): Case {
  const v = (): string => (u() < 0.6 ? (u() * 50).toFixed(2) : pick(u, NOTATIONS));
  const parts = [`"a":${v()}`, `"d":{"b":${v()}}`, `"c":${u() < 0.2 ? hugeArray(u) : v()}`, `"ts":${pick(u, TS)()}`].filter(
    () => u() < 0.8,
  );
  return ['multi', `${tag}/m/m${int(u, 20)}`, Buffer.from(`{${parts.join(',')}}`)];
}

function numberCase(u: Rng, tag: string): Case {
  const text = u() < 0.5 ? pick(u, NOTATIONS) : u() < 0.5 ? (u() * 1e6 - 5e5).toString() : ` ${(u() * 10).toFixed(1)}\n`;
  return ['number', `${tag}/n/n${int(u, 20)}/${pick(u, SIG)}`, Buffer.from(text)];
}

function topicCase(u: Rng, tag: string): Case {
  const level = pick(u, ['', ' ', 'ä', '😀'.repeat(50), 'x'.repeat(u() < 0.9 ? 300 : 60_000), '..', '%00', 'a\u0000b', '\u202e']);
  return ['topic', `${tag}/n/${level}/${u() < 0.5 ? level : 's0'}`, Buffer.from('1.5')];
}

/** Sparkplug B: valid births and data, then their abuse (aliases, seq, missing births, mutated and truncated bytes). */
function sparkplugCase(u: Rng, tag: string, state: { seq: Map<string, number> }): Case {
  const edge = `E${int(u, 8)}`;
  const dev = `D${int(u, 4)}`;
  const nextSeq = (): number => {
    const s = ((state.seq.get(edge) ?? -1) + 1) % 256;
    state.seq.set(edge, s);
    return u() < 0.1 ? pick(u, [s + 256, 300, -1, 0, 255, (s + 7) % 256]) : s;
  };
  const metric = (i: number, withName: boolean): UMetric =>
    ({
      ...(withName ? { name: `m${i}` } : {}),
      alias: u() < 0.1 ? pick(u, [0, 1, 2 ** 53, 999_999, -1]) : i,
      type: pick(u, ['Double', 'Float', 'Int32', 'UInt64', 'Boolean', 'String', 'Int8']),
      value: u() < 0.1 ? pick(u, [null, 'x', NaN, Infinity, 2 ** 70]) : u() * 100,
    }) as UMetric;
  const kind = pick(u, ['NBIRTH', 'DBIRTH', 'DDATA', 'DDATA', 'DDATA', 'NDATA', 'NDEATH', 'DDEATH', 'STATE']);
  const topic = kind.startsWith('N')
    ? `spBv1.0/${tag}/${kind}/${edge}`
    : kind === 'STATE'
      ? `spBv1.0/STATE/${tag}`
      : `spBv1.0/${tag}/${kind}/${edge}/${dev}`;
  const n = u() < 0.02 ? 5000 : 1 + int(u, 6);
  const p: UPayload = {
    timestamp: u() < 0.1 ? pick(u, [0, -1, Date.now() + 86_400_000]) : Date.now(),
    seq: nextSeq(),
    metrics: Array.from({ length: n }, (_, i) => metric(i, kind.includes('BIRTH') || u() < 0.2)),
  };
  if (kind === 'NBIRTH' || kind === 'NDEATH')
    p.metrics = [{ name: 'bdSeq', type: 'UInt64', value: int(u, 300) } as UMetric, ...(kind === 'NBIRTH' ? (p.metrics ?? []) : [])];
  let bytes: Buffer;
  try {
    bytes = encodePayload(p);
  } catch {
    bytes = randomBytes(u, int(u, 64));
  }
  if (u() < 0.3) bytes = mutate(u, bytes);
  else if (u() < 0.05) bytes = Buffer.concat([Buffer.from([0x12, 0x12]), Buffer.from('SPBV1.0_COMPRESSED'), randomBytes(u, 40)]);
  return ['sparkplug', topic, bytes];
}

/** The generator: one case per call, mixing every kind. */
export function cases(u: Rng, tag: string): () => Case {
  const state = { seq: new Map<string, number>() };
  return () => {
    const r = u();
    if (r < 0.3) return jsonCase(u, tag);
    if (r < 0.4) return multiCase(u, tag);
    if (r < 0.5) return numberCase(u, tag);
    if (r < 0.55) return topicCase(u, tag);
    if (r < 0.6) return ['utf8', `${tag}/j/u${int(u, 5)}/s0`, badUtf8(u)];
    if (r < 0.7) return ['bytes', `${tag}/${pick(u, ['j', 'n'])}/r${int(u, 5)}/s0`, randomBytes(u, int(u, 600))];
    if (r < 0.8) {
      const [, t, b] = jsonCase(u, tag);
      return ['mutated', t, mutate(u, b)];
    }
    return sparkplugCase(u, tag, state);
  };
}
