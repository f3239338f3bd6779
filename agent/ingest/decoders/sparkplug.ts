/**
 * Sparkplug B ingest (spBv1.0/{group}/{type}/{edge}[/{device}]): the decoder
 * side of the host application in ../sparkplug/. It decodes the payload
 * (opening Tahu-compressed ones), hands it to the host's session tracking,
 * and carries out the effects: samples and scan ends to the pipeline (one
 * BIRTH or DATA message is one scan of its asset), counts by reason,
 * rate-limited rebirth requests on the plant broker, stale devices, and one
 * log line per condition change.
 */
import type { Logger } from 'pino';
import { encodePayload } from '../../sparkplug/codec.js';
import { RateLimitedLog } from '../../observe/ratelimit.js';
import { SparkplugHost, type AssetNaming, type HostEnv, type SparkplugReason } from '../sparkplug/host.js';
import { CompressionError, decodeRaw, type RawPayload } from '../sparkplug/raw.js';
import { DecodeError, type DecodeContext, type Decoder, type SampleEmitter } from './types.js';

/** What a subscription says about its Sparkplug host duties. */
export interface SparkplugOptions {
  assetNaming: AssetNaming;
  rebirth: { enabled: boolean; minIntervalS: number };
}

/** What the source gives a decoder besides the payload: the plant broker, counters, the log. */
export interface DecoderEnv {
  log: Logger;
  /** Counts by reason, read by /metrics (AgentStats.sparkplug). */
  counts: Record<string, number>;
  /** Publishes on the plant broker (the rebirth requests); absent = cannot ask. */
  publish?: ((topic: string, payload: Buffer) => void) | undefined;
  /** Devices whose node or device died: their alerts resolve as stale. */
  onStale?: ((assets: string[], lastSeen: number) => void) | undefined;
  rateLimitMs: number;
  now?: () => number;
}

export class SparkplugDecoder implements Decoder {
  readonly host: SparkplugHost;
  private readonly lastRebirth = new Map<string, number>();
  private readonly rl: RateLimitedLog;
  private readonly now: () => number;
  /** The emitter of the message being decoded (the source passes the same object every time). */
  private emit: SampleEmitter | null = null;
  private readonly env: HostEnv;

  constructor(
    private readonly opts: SparkplugOptions,
    private readonly denv: DecoderEnv,
  ) {
    this.host = new SparkplugHost(opts.assetNaming);
    this.now = denv.now ?? Date.now;
    this.rl = new RateLimitedLog(denv.rateLimitMs, this.now);
    this.env = {
      sample: (a, s, v, ts) => this.emit?.sample(a, s, v, ts),
      endScan: (a) => this.emit?.endScan(a),
      count: (reason, n = 1) => this.count(reason, n),
      rebirth: (group, edge, why) => this.requestRebirth(group, edge, why),
      stale: (assets, lastSeen) => this.denv.onStale?.(assets, lastSeen),
      condition: (node, what, on, detail) =>
        on
          ? this.denv.log.warn({ node, condition: what, detail }, `Sparkplug node ${node}: ${what.replace('_', ' ')} (${detail})`)
          : this.denv.log.info({ node, condition: what }, `Sparkplug node ${node}: ${what.replace('_', ' ')} over (${detail})`),
    };
  }

  /** Counts by reason (the same object /metrics reads). */
  get counts(): Readonly<Record<string, number>> {
    return this.denv.counts;
  }

  decode(payload: Buffer, ctx: DecodeContext, emit: SampleEmitter): void {
    const parts = ctx.topic.split('/');
    if (parts[0] !== 'spBv1.0' || parts.length < 4) throw new DecodeError('bad_topic', `not a Sparkplug B topic: ${ctx.topic}`);
    const [, group, type, edge, device] = parts as [string, string, string, string, string | undefined];
    // Host state and commands carry no telemetry (our own rebirth requests come back here too).
    if (group === 'STATE' || type === 'NCMD' || type === 'DCMD') return;
    if (!['NBIRTH', 'DBIRTH', 'NDATA', 'DDATA', 'NDEATH', 'DDEATH'].includes(type)) {
      throw new DecodeError('bad_topic', `unknown Sparkplug message type ${type}`);
    }
    let raw: RawPayload;
    try {
      raw = decodeRaw(payload);
    } catch (err) {
      if (err instanceof CompressionError) {
        this.count('compressed_bad', 1);
        throw new DecodeError('compressed_bad', err.message);
      }
      throw new DecodeError('bad_protobuf', `Sparkplug payload does not decode: ${(err as Error).message}`);
    }
    this.emit = emit;
    try {
      this.host.handle(group, type, edge, device, raw, ctx.arrivalMs, this.env, ctx.asset);
    } finally {
      this.emit = null;
    }
  }

  private count(reason: SparkplugReason, n: number): void {
    const c = this.denv.counts;
    c[reason] = (c[reason] ?? 0) + n;
    // Per-metric problems are counted at every occurrence and logged rate-limited (first one, then a tally).
    if (reason === 'null_value' || reason === 'type_change' || reason === 'missing_value' || reason === 'compressed_bad') {
      this.rl.maybe(`sp:${reason}`, (suppressed) =>
        this.denv.log.warn({ reason, total: c[reason], suppressed }, `Sparkplug metric value not used: ${reason.replace('_', ' ')}`),
      );
    }
  }

  /**
   * NCMD `Node Control/Rebirth` = true, QoS 0, not retained
   * [tck-id-operational-behavior-data-commands-ncmd-rebirth-verb, -name, -value, tck-id-topics-ncmd-mqtt],
   * at most one per node every `rebirth.minIntervalS` (a stream of gaps must not become a stream of commands).
   */
  private requestRebirth(group: string, edge: string, why: SparkplugReason): void {
    if (!this.opts.rebirth.enabled || !this.denv.publish) return;
    const key = `${group}/${edge}`;
    const t = this.now();
    const last = this.lastRebirth.get(key);
    if (last !== undefined && t - last < this.opts.rebirth.minIntervalS * 1000) {
      this.count('rebirth_suppressed', 1);
      return;
    }
    this.lastRebirth.set(key, t);
    const payload = encodePayload({ timestamp: t, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] });
    this.denv.publish(`spBv1.0/${group}/NCMD/${edge}`, payload);
    this.count('rebirth_requested', 1);
    this.denv.log.info({ node: key, why }, `Sparkplug node ${key}: rebirth requested (${why.replace('_', ' ')})`);
  }
}
