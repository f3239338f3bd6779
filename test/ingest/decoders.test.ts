import { describe, expect, it } from 'vitest';
import { DecodeError, JsonDecoder, NumberDecoder, type DecodeContext, type Decoder } from '../../agent/ingest/decoders/index.js';
import { parseTopicPattern } from '../../agent/ingest/topics.js';

type Got = [string, string, number, number];
/** The assets whose scan the last run() ended (the end-of-message scan hook). */
let ends: string[] = [];
function run(dec: Decoder, payload: Buffer | string, ctx: Partial<DecodeContext>): Got[] {
  const out: Got[] = [];
  ends = [];
  dec.decode(
    Buffer.from(payload),
    { topic: 't', asset: undefined, signal: undefined, arrivalMs: 1000, ...ctx },
    { sample: (a, s, v, t) => out.push([a, s, v, t]), endScan: (a) => ends.push(a) },
  );
  return out;
}
function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return `${err.reason}: ${err.message}`;
    throw err;
  }
  return 'no error';
}

describe('topic patterns', () => {
  it('captures asset and signal and builds the subscription filter', () => {
    const p = parseTopicPattern('plant/{asset}/+/{signal}');
    expect(p.filter).toBe('plant/+/+/+');
    expect(p.match('plant/P-1/x/temp')).toEqual({ asset: 'P-1', signal: 'temp' });
    expect(p.match('plant/P-1/x')).toBeUndefined();
    expect(p.match('plant/P-1/x/temp/extra')).toBeUndefined();
    expect(p.match('other/P-1/x/temp')).toBeUndefined();
    expect(parseTopicPattern('site/{asset}/#').match('site/M-2/a/b/c')).toEqual({ asset: 'M-2' });
  });
  it('rejects malformed patterns', () => {
    expect(() => parseTopicPattern('a/#/b')).toThrow('"#" must be the last level');
    expect(() => parseTopicPattern('a/x{asset}')).toThrow('bad level "x{asset}"');
  });
});

describe('number decoder', () => {
  const d = new NumberDecoder();
  it('decodes plain numeric text', () => {
    expect(run(d, ' 12.5\n', { asset: 'A', signal: 's' })).toEqual([['A', 's', 12.5, 1000]]);
    // One signal per message: the window assembles the scan, the decoder never ends one.
    expect(ends).toEqual([]);
  });
  it('rejects text, empty and non-finite payloads with a reason', () => {
    expect(reason(() => run(d, 'abc', { asset: 'A', signal: 's' }))).toBe('not_a_number: payload is not a finite number: "abc"');
    expect(reason(() => run(d, '', { asset: 'A', signal: 's' }))).toBe('not_a_number: payload is not a finite number: ""');
    expect(reason(() => run(d, 'Infinity', { asset: 'A', signal: 's' }))).toBe('not_a_number: payload is not a finite number: "Infinity"');
  });
});

describe('JSON decoder', () => {
  it('reads several signals and an ISO timestamp from one message', () => {
    const d = new JsonDecoder({ signals: { temp: 'data.t', vib: 'data.v' }, valuePath: 'value', timestampPath: 'time' });
    expect(run(d, JSON.stringify({ time: '2026-01-01T00:00:00Z', data: { t: 40.5, v: '2.5' } }), { asset: 'P' })).toEqual([
      ['P', 'temp', 40.5, Date.parse('2026-01-01T00:00:00Z')],
      ['P', 'vib', 2.5, Date.parse('2026-01-01T00:00:00Z')],
    ]);
    // A multi-signal message is one scan of its asset.
    expect(ends).toEqual(['P']);
  });
  it('keeps the good values of a multi-signal message with one bad field, ends their scan, and reports the field', () => {
    const d = new JsonDecoder({ signals: { temp: 't', vib: 'v', rpm: 'r' }, valuePath: 'value' });
    const out: Got[] = [];
    const seen: string[] = [];
    const decode = (): void =>
      d.decode(
        Buffer.from('{"t": 40, "v": "broken", "r": 1480}'),
        { topic: 't', asset: 'P', signal: undefined, arrivalMs: 5 },
        { sample: (a, s, v, t) => out.push([a, s, v, t]), endScan: (a) => seen.push(a) },
      );
    expect(reason(decode)).toBe('not_a_number: field "vib" is not a finite number: "broken"');
    expect(out).toEqual([
      ['P', 'temp', 40, 5],
      ['P', 'rpm', 1480, 5],
    ]);
    expect(seen).toEqual(['P']);
  });
  it('reads a single value at valuePath, epoch seconds as ms, and bare numbers', () => {
    const d = new JsonDecoder({ valuePath: 'v', timestampPath: 'ts' });
    expect(run(d, '{"v": 3, "ts": 1700000000}', { asset: 'P', signal: 's' })).toEqual([['P', 's', 3, 1_700_000_000_000]]);
    expect(run(d, '7', { asset: 'P', signal: 's' })).toEqual([['P', 's', 7, 1000]]);
  });
  it('names what is wrong in a malformed payload', () => {
    const d = new JsonDecoder({ valuePath: 'v', timestampPath: 'ts' });
    expect(reason(() => run(d, '{"v": 1', { asset: 'P', signal: 's' }))).toBe('bad_json: payload is not valid JSON: "{\\"v\\": 1"');
    expect(reason(() => run(d, '{"x": 1}', { asset: 'P', signal: 's' }))).toBe('missing_field: field "v" is missing');
    expect(reason(() => run(d, '{"v": "hot"}', { asset: 'P', signal: 's' }))).toBe('not_a_number: field "v" is not a finite number: "hot"');
    expect(reason(() => run(d, '{"v": 1, "ts": "yesterday"}', { asset: 'P', signal: 's' }))).toBe(
      'bad_timestamp: timestamp is neither epoch nor ISO-8601: "yesterday"',
    );
  });
  it('names a deeply nested or huge value without serialising it (bench:fuzz found a stack overflow here)', () => {
    const d = new JsonDecoder({ valuePath: 'v', timestampPath: 'ts' });
    const deep = `${'['.repeat(50_000)}1${']'.repeat(50_000)}`;
    expect(reason(() => run(d, `{"v": ${deep}}`, { asset: 'P', signal: 's' }))).toBe(
      'not_a_number: field "v" is not a finite number: an array of 1 items',
    );
    expect(reason(() => run(d, `{"v": 1, "ts": {"a": ${deep}}}`, { asset: 'P', signal: 's' }))).toBe(
      'bad_timestamp: timestamp is neither epoch nor ISO-8601: an object',
    );
    expect(reason(() => run(d, `{"v": "${'9'.repeat(5000)}x"}`, { asset: 'P', signal: 's' }))).toBe(
      `not_a_number: field "v" is not a finite number: "${'9'.repeat(40)}…"`,
    );
  });
});

describe('MQTT source, timestamps without a payload time', () => {
  it('keeps every sample of a burst: arrival stamps are sub-millisecond', async () => {
    const { MqttSource } = await import('../../agent/ingest/source.js');
    const { AgentStats } = await import('../../agent/observe/stats.js');
    const { memoryLogger } = await import('../helpers/log.js');
    const got: number[] = [];
    const stats = new AgentStats();
    const src = new MqttSource(
      { url: 'mqtt://127.0.0.1:1', protocolVersion: 5, keepaliveS: 30, reconnectMs: 1000, reconnectMaxMs: 60_000, noDelay: true },
      [{ topic: 'p/{asset}/{signal}', decoder: 'number', qos: 0 }],
      { ingest: (_a, _s, _v, ts) => got.push(ts), endScan: () => undefined },
      stats,
      memoryLogger().log,
      1000,
    );
    for (let i = 0; i < 50; i++) src.onMessage('p/A/s', Buffer.from(String(i)));
    expect(got).toHaveLength(50);
    expect(new Set(got).size).toBe(50);
  });
});
