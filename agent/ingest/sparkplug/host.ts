/**
 * The agent as a well-behaved Sparkplug B host application: it tracks each
 * edge node's session (bdSeq, seq, its birth and its devices' births) and
 * turns DATA into samples only inside a born session. Everything it cannot
 * use is counted by reason, and what a rebirth would fix asks for one.
 * Pure: the decoder gives it decoded payloads and the effects (samples,
 * counts, rebirth requests, stale devices) go through `HostEnv`.
 */
import { toNum } from '../../sparkplug/codec.js';
import { BirthTable } from './births.js';
import { numericValue, type RawMetric, type RawPayload } from './raw.js';
import type { SparkplugReason } from './reasons.js';

export type { SparkplugReason } from './reasons.js';

export interface HostEnv {
  sample(asset: string, signal: string, value: number, ts: number): void;
  endScan(asset: string): void;
  count(reason: SparkplugReason, n?: number): void;
  /** A rebirth would fix this node's session (the caller rate-limits and publishes the NCMD). */
  rebirth(group: string, edge: string, why: SparkplugReason): void;
  /** These assets' source died: their alerts resolve (or are flagged) as stale. */
  stale(assets: string[], lastSeen: number): void;
  /** A node's condition started or ended (for one log line per change). */
  condition(node: string, what: 'dead' | 'seq_gap' | 'no_birth' | 'unknown_alias', on: boolean, detail: string): void;
}

interface NodeSession {
  born: boolean;
  bdSeq: number | undefined;
  seq: number | undefined;
  table: BirthTable | null;
  devices: Map<string, BirthTable>;
  lastSeen: Map<string, number>;
  /** Conditions currently reported (each logged once when it starts and once when it ends). */
  conditions: Set<'dead' | 'seq_gap' | 'no_birth' | 'unknown_alias'>;
}

export type AssetNaming = 'path' | 'device';

/** One edge node as /healthz shows it. */
export interface SparkplugNodeStatus {
  node: string;
  born: boolean;
  devices: number;
  conditions: string[];
}

export class SparkplugHost {
  private readonly nodes = new Map<string, NodeSession>();

  constructor(private readonly naming: AssetNaming) {}

  /** The asset of a node or device: `{group}/{edge}[/{device}]`, or the device (node) id alone. */
  assetOf(group: string, edge: string, device: string | undefined): string {
    if (this.naming === 'device') return device ?? edge;
    return device === undefined ? `${group}/${edge}` : `${group}/${edge}/${device}`;
  }

  /** One decoded message. `fixedAsset` (a subscription's fixed asset) overrides the naming. */
  handle(
    group: string,
    type: string,
    edge: string,
    device: string | undefined,
    p: RawPayload,
    arrivalMs: number,
    env: HostEnv,
    fixedAsset?: string,
  ): void {
    const key = `${group}/${edge}`;
    const n = this.node(key);
    if (p.compressed) env.count('compressed');
    if (type !== 'NDEATH') this.trackSeq(key, group, edge, type, p.seq, n, env);
    const asset = fixedAsset ?? this.assetOf(group, edge, device);
    const ts = p.timestamp ?? arrivalMs;
    switch (type) {
      case 'NBIRTH': {
        // A new session: the node's devices must be born again, their aliases are void [tck-id-payloads-alias-birth-requirement].
        const b = this.birth(p.metrics, env);
        n.born = true;
        n.table = b;
        n.devices.clear();
        n.bdSeq = bdSeqOf(p.metrics);
        env.count('node_birth');
        for (const c of n.conditions) env.condition(key, c, false, 'reborn');
        n.conditions.clear();
        return this.emit(p.metrics, b, asset, ts, arrivalMs, n, group, edge, env);
      }
      case 'DBIRTH':
      case 'NDATA':
      case 'DDATA': {
        // Data (and device births) only inside a born node session: before it, nothing is known for sure.
        if (!n.born || (type === 'DDATA' && !n.devices.has(device ?? ''))) return this.unborn(key, group, edge, type, device, env, n);
        if (type === 'DBIRTH') {
          const b = this.birth(p.metrics, env);
          n.devices.set(device ?? '', b);
          env.count('device_birth');
          return this.emit(p.metrics, b, asset, ts, arrivalMs, n, group, edge, env);
        }
        const table = type === 'NDATA' ? n.table! : n.devices.get(device ?? '')!;
        return this.emit(p.metrics, table, asset, ts, arrivalMs, n, group, edge, env);
      }
      case 'NDEATH': {
        // Only the death of this session counts: a late will of an older connection carries an older bdSeq.
        const bd = bdSeqOf(p.metrics);
        if (!n.born || (bd !== undefined && n.bdSeq !== undefined && bd !== n.bdSeq)) {
          env.count('stale_death');
          return;
        }
        // The node and all its devices go offline, their metrics stale
        // [tck-id-operational-behavior-edge-node-termination-host-action-ndeath-node-offline, -devices-offline, -devices-tags-stale].
        const assets = [this.assetOf(group, edge, undefined), ...[...n.devices.keys()].map((d) => this.assetOf(group, edge, d))];
        n.born = false;
        n.devices.clear();
        env.count('node_death');
        this.setCondition(key, n, 'dead', true, `NDEATH (bdSeq ${bd ?? '?'})`, env);
        env.stale(fixedAsset ? [fixedAsset] : assets, this.lastSeenOf(n, assets, arrivalMs));
        return;
      }
      case 'DDEATH': {
        if (!n.devices.delete(device ?? '')) return;
        // [tck-id-operational-behavior-edge-node-termination-host-action-ddeath-devices-offline, -devices-tags-stale]
        env.count('device_death');
        env.stale([asset], this.lastSeenOf(n, [asset], arrivalMs));
        return;
      }
    }
  }

  /** Nodes and their state, for /healthz. */
  status(): SparkplugNodeStatus[] {
    return [...this.nodes].map(([node, n]) => ({ node, born: n.born, devices: n.devices.size, conditions: [...n.conditions] }));
  }

  private node(key: string): NodeSession {
    let n = this.nodes.get(key);
    if (!n) {
      n = { born: false, bdSeq: undefined, seq: undefined, table: null, devices: new Map(), lastSeen: new Map(), conditions: new Set() };
      // Bounded: an edge node is a long-lived thing; ten thousand of them is a flood, not a plant.
      if (this.nodes.size < 10_000) this.nodes.set(key, n);
    }
    return n;
  }

  private birth(metrics: RawMetric[], env: HostEnv): BirthTable {
    const { table, excluded, untyped } = BirthTable.from(metrics);
    for (const [why, k] of Object.entries(excluded)) env.count(`excluded_${why}` as SparkplugReason, k);
    if (untyped) env.count('untyped_birth_metric', untyped);
    return table;
  }

  /** seq: 0 at NBIRTH, then +1 per message of the node mod 256 [tck-id-payloads-sequence-num-incrementing]; a gap asks for a rebirth. */
  private trackSeq(key: string, group: string, edge: string, type: string, seq: number | undefined, n: NodeSession, env: HostEnv): void {
    if (seq === undefined) return;
    if (type !== 'NBIRTH' && n.born && n.seq !== undefined && seq !== (n.seq + 1) % 256) {
      env.count('seq_gap');
      this.setCondition(key, n, 'seq_gap', true, `expected seq ${(n.seq + 1) % 256}, got ${seq}`, env);
      env.rebirth(group, edge, 'seq_gap');
    }
    n.seq = seq;
  }

  private unborn(key: string, group: string, edge: string, type: string, device: string | undefined, env: HostEnv, n: NodeSession): void {
    env.count('no_birth');
    this.setCondition(key, n, 'no_birth', true, `${type}${device ? ` of ${device}` : ''} before its birth`, env);
    env.rebirth(group, edge, 'no_birth');
  }

  private emit(
    metrics: RawMetric[],
    table: BirthTable,
    asset: string,
    ts: number,
    arrivalMs: number,
    n: NodeSession,
    group: string,
    edge: string,
    env: HostEnv,
  ): void {
    let found = 0;
    for (const m of metrics) {
      const def = table.resolve(m);
      if (!def) {
        env.count('unknown_alias');
        this.setCondition(`${group}/${edge}`, n, 'unknown_alias', true, `metric ${m.name ?? `alias ${m.alias}`} not in the birth`, env);
        env.rebirth(group, edge, 'unknown_alias');
        continue;
      }
      if (def.excluded) continue; // counted at its birth
      if (m.isNull) {
        env.count('null_value');
        continue;
      }
      // A DATA metric may omit its datatype: the birth's applies. A different one is a type change the birth did not declare.
      if (m.datatype !== undefined && m.datatype !== def.datatype) {
        env.count('type_change');
        continue;
      }
      const v = numericValue(m, def.datatype);
      if (v === undefined || !Number.isFinite(v)) {
        env.count('missing_value');
        continue;
      }
      env.sample(asset, def.name, v, m.timestamp ?? ts);
      found++;
    }
    if (found > 0) {
      n.lastSeen.set(asset, arrivalMs);
      env.endScan(asset);
    }
  }

  private setCondition(
    key: string,
    n: NodeSession,
    c: 'dead' | 'seq_gap' | 'no_birth' | 'unknown_alias',
    on: boolean,
    detail: string,
    env: HostEnv,
  ): void {
    if (on === n.conditions.has(c)) return;
    if (on) n.conditions.add(c);
    else n.conditions.delete(c);
    env.condition(key, c, on, detail);
  }

  private lastSeenOf(n: NodeSession, assets: string[], fallback: number): number {
    let t = 0;
    for (const a of assets) t = Math.max(t, n.lastSeen.get(a) ?? 0);
    return t || fallback;
  }
}

function bdSeqOf(metrics: RawMetric[]): number | undefined {
  const m = metrics.find((x) => x.name === 'bdSeq');
  return m ? toNum(m.fields.longValue ?? m.fields.intValue) : undefined;
}
