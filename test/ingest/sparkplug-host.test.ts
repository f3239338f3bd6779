import { createRequire } from 'node:module';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../agent/ingest/decoders/index.js';
import { SparkplugDecoder, type SparkplugOptions } from '../../agent/ingest/decoders/sparkplug.js';
import { decodePayload, encodePayload, type UPayload } from '../../agent/sparkplug/codec.js';
import { memoryLogger } from '../helpers/log.js';

const require = createRequire(import.meta.url);
/** The raw protobuf message type, to send what the library will not: a DATA metric without a datatype. */
const Proto = (
  require('sparkplug-payload/lib/sparkplugPayloadProto.js') as {
    org: { eclipse: { tahu: { protobuf: { Payload: { encode(m: object): { finish(): Uint8Array }; create(o: object): object } } } } };
  }
).org.eclipse.tahu.protobuf.Payload;

type Sample = [string, string, number];

/** A decoder with everything it does captured: samples, scan ends, NCMDs, stale devices, counts and log lines. */
function rig(opts: Partial<SparkplugOptions> = {}) {
  const { log, lines } = memoryLogger('info');
  const samples: Sample[] = [];
  const ends: string[] = [];
  const ncmd: Array<{ topic: string; p: UPayload }> = [];
  const stale: Array<{ assets: string[]; lastSeen: number }> = [];
  let now = 1_000_000;
  const counts: Record<string, number> = {};
  const d = new SparkplugDecoder(
    { assetNaming: 'path', rebirth: { enabled: true, minIntervalS: 10 }, ...opts },
    {
      log,
      counts,
      rateLimitMs: 60_000,
      now: () => now,
      publish: (topic, payload) => ncmd.push({ topic, p: decodePayload(payload) }),
      onStale: (assets, lastSeen) => stale.push({ assets, lastSeen }),
    },
  );
  const send = (topic: string, payload: Uint8Array, arrivalMs = now) =>
    d.decode(
      Buffer.from(payload),
      { topic, asset: undefined, signal: undefined, arrivalMs },
      { sample: (a, s, v) => samples.push([a, s, v]), endScan: (a) => ends.push(a) },
    );
  return {
    d,
    send,
    samples,
    ends,
    ncmd,
    stale,
    counts,
    lines,
    advance: (ms: number) => (now += ms),
  };
}

const enc = (p: UPayload) => encodePayload(p);
const nbirth = (seq = 0, bdSeq = 0) =>
  enc({
    timestamp: 1,
    seq,
    metrics: [
      { name: 'bdSeq', type: 'UInt64', value: bdSeq },
      { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
      { name: 'Node Control/Scan Rate', type: 'Int32', value: 1000 },
      { name: 'Properties/OS', type: 'String', value: 'Linux' },
      { name: 'cpu', alias: 1, type: 'Float', value: 12.5 },
    ],
  });
const dbirth = (seq: number) =>
  enc({
    timestamp: 2,
    seq,
    metrics: [
      { name: 'flow', alias: 10, type: 'Double', value: 40.5 },
      { name: 'count', alias: 11, type: 'Int16', value: -3 },
      { name: 'label', alias: 12, type: 'String', value: 'P1' },
      { name: 'Device Control/Rebirth', alias: 13, type: 'Boolean', value: false },
    ],
  });

describe('Sparkplug B host application (ingest)', () => {
  it('keeps control, property and non-numeric metrics out of the signals, counted once per birth', () => {
    const r = rig();
    r.send('spBv1.0/G/NBIRTH/E1', nbirth());
    r.send('spBv1.0/G/DBIRTH/E1/pump', dbirth(1));
    expect(r.samples).toEqual([
      ['G/E1', 'cpu', 12.5],
      ['G/E1/pump', 'flow', 40.5],
      ['G/E1/pump', 'count', -3],
    ]);
    expect(r.ends).toEqual(['G/E1', 'G/E1/pump']);
    expect(r.counts).toMatchObject({ node_birth: 1, device_birth: 1, excluded_control: 4, excluded_property: 1, excluded_non_numeric: 1 });
  });

  it('accepts no data before a birth: counted, and one rate-limited rebirth request (NCMD Node Control/Rebirth)', () => {
    const r = rig();
    r.send('spBv1.0/G/DDATA/E1/pump', enc({ timestamp: 3, seq: 5, metrics: [{ name: 'flow', type: 'Double', value: 1 }] }));
    r.send('spBv1.0/G/NDATA/E1', enc({ timestamp: 3, seq: 6, metrics: [{ name: 'cpu', type: 'Float', value: 1 }] }));
    expect(r.samples).toEqual([]);
    expect(r.counts).toMatchObject({ no_birth: 2, rebirth_requested: 1, rebirth_suppressed: 1 });
    expect(r.ncmd).toHaveLength(1);
    expect(r.ncmd[0]!.topic).toBe('spBv1.0/G/NCMD/E1');
    expect(r.ncmd[0]!.p.metrics).toEqual([expect.objectContaining({ name: 'Node Control/Rebirth', type: 'Boolean', value: true })]);
    r.advance(10_000);
    r.send('spBv1.0/G/DDATA/E1/pump', enc({ timestamp: 3, seq: 7, metrics: [{ name: 'flow', type: 'Double', value: 1 }] }));
    expect(r.ncmd).toHaveLength(2);
    // The condition is logged once when it starts and once when a birth ends it.
    expect(r.lines.filter((l) => l['condition'] === 'no_birth').map((l) => l['msg'])).toEqual([
      'Sparkplug node G/E1: no birth (DDATA of pump before its birth)',
    ]);
    r.send('spBv1.0/G/NBIRTH/E1', nbirth());
    expect(r.lines.filter((l) => l['condition'] === 'no_birth')).toHaveLength(2);
  });

  it('reads DATA without a datatype with the birth type, counts type changes, nulls and unknown aliases', () => {
    const r = rig();
    r.send('spBv1.0/G/NBIRTH/E1', nbirth());
    r.send('spBv1.0/G/DBIRTH/E1/pump', dbirth(1));
    r.samples.length = 0;
    const typeless = Proto.encode(
      Proto.create({
        timestamp: 4,
        seq: 2,
        metrics: [
          { alias: 10, doubleValue: 41.25 },
          { alias: 11, intValue: 0xfffffffe },
        ],
      }),
    ).finish();
    r.send('spBv1.0/G/DDATA/E1/pump', typeless);
    expect(r.samples).toEqual([
      ['G/E1/pump', 'flow', 41.25],
      ['G/E1/pump', 'count', -2], // Int16 in two's complement
    ]);
    r.send(
      'spBv1.0/G/DDATA/E1/pump',
      enc({
        timestamp: 5,
        seq: 3,
        metrics: [
          { alias: 10, type: 'Int32', value: 7 }, // the birth said Double
          { alias: 11, type: 'Int16', value: null }, // is_null
          { alias: 99, type: 'Double', value: 1 }, // never born
        ],
      }),
    );
    expect(r.samples).toHaveLength(2);
    expect(r.counts).toMatchObject({ type_change: 1, null_value: 1, unknown_alias: 1, rebirth_requested: 1 });
  });

  it('opens Tahu-compressed payloads (DEFLATE, GZIP) and counts what does not open', () => {
    const r = rig();
    r.send('spBv1.0/G/NBIRTH/E1', nbirth());
    r.send('spBv1.0/G/DBIRTH/E1/pump', dbirth(1));
    r.samples.length = 0;
    const inner = enc({ timestamp: 6, seq: 2, metrics: [{ alias: 10, type: 'Double', value: 42 }] });
    r.send('spBv1.0/G/DDATA/E1/pump', enc({ uuid: 'SPBV1.0_COMPRESSED', body: deflateSync(inner), metrics: [] }));
    const inner2 = enc({ timestamp: 7, seq: 3, metrics: [{ alias: 10, type: 'Double', value: 43 }] });
    r.send(
      'spBv1.0/G/DDATA/E1/pump',
      enc({ uuid: 'SPBV1.0_COMPRESSED', body: gzipSync(inner2), metrics: [{ name: 'algorithm', type: 'String', value: 'GZIP' }] }),
    );
    expect(r.samples).toEqual([
      ['G/E1/pump', 'flow', 42],
      ['G/E1/pump', 'flow', 43],
    ]);
    expect(r.counts.compressed).toBe(2);
    let err: unknown;
    try {
      r.send(
        'spBv1.0/G/DDATA/E1/pump',
        enc({ uuid: 'SPBV1.0_COMPRESSED', body: Buffer.from('xx'), metrics: [{ name: 'algorithm', type: 'String', value: 'LZ4' }] }),
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).reason).toBe('compressed_bad');
    expect(r.counts.compressed_bad).toBe(1);
  });

  it('keeps equal device ids of different edge nodes apart by default (two assets), and merges them with assetNaming device (one)', () => {
    for (const [naming, want] of [
      ['path', ['G/E1/pump', 'G/E2/pump']],
      ['device', ['pump']],
    ] as const) {
      const r = rig({ assetNaming: naming });
      for (const e of ['E1', 'E2']) {
        r.send(`spBv1.0/G/NBIRTH/${e}`, nbirth());
        r.send(`spBv1.0/G/DBIRTH/${e}/pump`, dbirth(1));
      }
      expect([...new Set(r.samples.filter((s) => s[1] === 'flow').map((s) => s[0]))]).toEqual(want);
    }
  });

  it('on a seq gap counts it and asks for a rebirth once, logging the condition once', () => {
    const r = rig();
    r.send('spBv1.0/G/NBIRTH/E1', nbirth());
    r.send('spBv1.0/G/DBIRTH/E1/pump', dbirth(1));
    r.send('spBv1.0/G/DDATA/E1/pump', enc({ timestamp: 8, seq: 5, metrics: [{ alias: 10, type: 'Double', value: 1 }] }));
    r.send('spBv1.0/G/DDATA/E1/pump', enc({ timestamp: 9, seq: 9, metrics: [{ alias: 10, type: 'Double', value: 1 }] }));
    expect(r.counts).toMatchObject({ seq_gap: 2, rebirth_requested: 1, rebirth_suppressed: 1 });
    expect(r.lines.filter((l) => l['condition'] === 'seq_gap')).toHaveLength(1);
  });

  it('marks a dead node and its devices stale (only for the bdSeq of its birth), and a dead device alone', () => {
    const r = rig();
    r.send('spBv1.0/G/NBIRTH/E1', nbirth(0, 4), 5000);
    r.send('spBv1.0/G/DBIRTH/E1/pump', dbirth(1), 5001);
    r.send('spBv1.0/G/DBIRTH/E1/fan', dbirth(2), 5002);
    r.send('spBv1.0/G/NDEATH/E1', enc({ timestamp: 9, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 3 }] }), 6000);
    expect(r.stale).toEqual([]);
    expect(r.counts.stale_death).toBe(1);
    r.send('spBv1.0/G/DDEATH/E1/fan', enc({ timestamp: 9, seq: 3, metrics: [] }), 6500);
    expect(r.stale).toEqual([{ assets: ['G/E1/fan'], lastSeen: 5002 }]);
    r.send('spBv1.0/G/NDEATH/E1', enc({ timestamp: 9, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 4 }] }), 7000);
    expect(r.stale[1]).toEqual({ assets: ['G/E1', 'G/E1/pump'], lastSeen: 5001 });
    expect(r.counts).toMatchObject({ node_death: 1, device_death: 1 });
    // Dead: its data no longer counts until it is born again.
    r.samples.length = 0;
    r.send('spBv1.0/G/DDATA/E1/pump', enc({ timestamp: 10, seq: 4, metrics: [{ alias: 10, type: 'Double', value: 1 }] }));
    expect(r.samples).toEqual([]);
    expect(r.counts.no_birth).toBe(1);
    expect(r.d.host.status()).toEqual([{ node: 'G/E1', born: false, devices: 0, conditions: ['dead', 'no_birth'] }]);
  });
});
