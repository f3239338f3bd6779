import { createRequire } from 'node:module';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { DecodeError, type DecodeContext, type Decoder, type SampleEmitter } from './types.js';

const require = createRequire(import.meta.url);
const spb = (require('sparkplug-payload') as { get(ns: string): { decodePayload(b: Uint8Array): UPayload } }).get('spBv1.0')!;

const NUMERIC = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Float', 'Double', 'Boolean']);

/** Counters of Sparkplug session handling, read by metrics. */
export interface SparkplugStats {
  births: number;
  deaths: number;
  seqGaps: number;
  unknownAlias: number;
}

/**
 * Sparkplug B (spBv1.0/{group}/{type}/{edge}[/{device}]).
 * BIRTH messages define metric names and aliases; DATA messages may carry
 * only aliases, resolved here [Sparkplug 3.0 tck-id-payloads-alias-uniqueness].
 * `seq` runs 0..255 per edge node across all its messages; a gap is counted
 * (the spec would have a host request a rebirth; this agent never writes to the
 * plant broker unless a local action is configured, so it only reports).
 * Asset = device id for device messages, edge node id for node messages.
 * Each BIRTH and DATA message is one scan of its asset: it ends with
 * emit.endScan(asset) [issue #12], whatever subset of metrics it carries.
 */
export class SparkplugDecoder implements Decoder {
  private readonly aliases = new Map<string, Map<string, string>>();
  private readonly lastSeq = new Map<string, number>();
  readonly stats: SparkplugStats = { births: 0, deaths: 0, seqGaps: 0, unknownAlias: 0 };

  decode(payload: Buffer, ctx: DecodeContext, emit: SampleEmitter): void {
    const parts = ctx.topic.split('/');
    if (parts[0] !== 'spBv1.0' || parts.length < 4) throw new DecodeError('bad_topic', `not a Sparkplug B topic: ${ctx.topic}`);
    const [, group, type, edge, device] = parts as [string, string, string, string, string | undefined];
    if (type === 'STATE' || type === 'NCMD' || type === 'DCMD') return; // host state and commands carry no telemetry
    let msg: UPayload;
    try {
      msg = spb.decodePayload(payload);
    } catch (err) {
      throw new DecodeError('bad_protobuf', `Sparkplug payload does not decode: ${(err as Error).message}`);
    }
    const nodeKey = `${group}/${edge}`;
    const key = device ? `${nodeKey}/${device}` : nodeKey;
    this.trackSeq(nodeKey, type, msg.seq);
    if (type === 'NDEATH' || type === 'DDEATH') {
      this.stats.deaths++;
      return;
    }
    const isBirth = type === 'NBIRTH' || type === 'DBIRTH';
    if (isBirth) {
      this.stats.births++;
      if (type === 'NBIRTH') {
        // A node rebirth invalidates the aliases of the node and all its devices.
        for (const k of this.aliases.keys()) if (k === nodeKey || k.startsWith(nodeKey + '/')) this.aliases.delete(k);
      }
      this.aliases.set(key, new Map());
    } else if (type !== 'NDATA' && type !== 'DDATA') {
      throw new DecodeError('bad_topic', `unknown Sparkplug message type ${type}`);
    }
    const asset = ctx.asset ?? device ?? edge;
    const aliasMap = this.aliases.get(key);
    const baseTs = toNum(msg.timestamp) ?? ctx.arrivalMs;
    let found = 0;
    for (const m of msg.metrics ?? []) {
      const name = this.nameOf(m, aliasMap, isBirth);
      if (name === undefined) continue;
      if (!NUMERIC.has(m.type) || m.isNull || m.value === null || m.value === undefined) continue;
      const v = typeof m.value === 'boolean' ? (m.value ? 1 : 0) : toNum(m.value);
      if (v === undefined) continue;
      emit.sample(asset, name, v, toNum(m.timestamp) ?? baseTs);
      found++;
    }
    if (found > 0) emit.endScan(asset);
  }

  private nameOf(m: UMetric, aliasMap: Map<string, string> | undefined, isBirth: boolean): string | undefined {
    const alias = m.alias === undefined || m.alias === null ? undefined : String(m.alias);
    if (m.name) {
      if (isBirth && alias !== undefined) aliasMap?.set(alias, m.name);
      return m.name;
    }
    if (alias !== undefined) {
      const n = aliasMap?.get(alias);
      if (n !== undefined) return n;
    }
    this.stats.unknownAlias++;
    return undefined;
  }

  private trackSeq(nodeKey: string, type: string, seqRaw: unknown): void {
    const seq = toNum(seqRaw);
    if (seq === undefined) return;
    if (type === 'NBIRTH') {
      this.lastSeq.set(nodeKey, seq);
      return;
    }
    const last = this.lastSeq.get(nodeKey);
    if (last !== undefined && seq !== (last + 1) % 256) this.stats.seqGaps++;
    this.lastSeq.set(nodeKey, seq);
  }
}

function toNum(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
