/**
 * The agent as a Sparkplug B edge node, without the MQTT: it builds the
 * death certificate for each CONNECT, the births, and the data messages
 * with the right bdSeq, seq and aliases. The uplink decides when; this
 * decides what, so every rule below is checked without a broker.
 *
 *   CONNECT (will = NDEATH, bdSeq n) → NBIRTH (seq 0, bdSeq n) → DBIRTH per asset → DDATA on each alert transition
 */
import { encodePayload, sparkplugId, sparkplugTopic, type UMetric } from '../../sparkplug/codec.js';
import { DEVICE_METRICS, deviceMetrics, diffState, emptyDeviceState, type DeviceState } from './metrics.js';

/** One message ready for mqtt.js. */
export interface SpMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: false;
}

export const REBIRTH_METRIC = 'Node Control/Rebirth';

/** Node-level metrics: the agent's component health (one metric per component) and its overall state. */
export type NodeHealth = Record<string, string>;

/** Device aliases start here and take one block per device; node metrics use the low numbers. */
const DEVICE_ALIAS_BASE = 1000;
const DEVICE_ALIAS_BLOCK = 64;

export class EdgeNodeSession {
  readonly group: string;
  readonly edge: string;
  private seq = 0;
  private bdSeq: number;
  private readonly devices = new Map<string, { alias: number; state: DeviceState }>();
  private nodeHealth: NodeHealth = {};
  private nodeAliases = new Map<string, number>();

  /** `lastBdSeq`: the bdSeq of the previous connect (persisted by the caller), or -1 for the first one ever. */
  constructor(group: string, edge: string, lastBdSeq: number) {
    this.group = sparkplugId(group);
    this.edge = sparkplugId(edge);
    this.bdSeq = lastBdSeq;
  }

  /**
   * A new MQTT CONNECT: the next bdSeq (0 for the first ever, then +1, 0..255
   * [tck-id-topics-nbirth-bdseq-increment]) and the NDEATH to register as the
   * will: QoS 1, not retained, bdSeq only, no seq
   * [tck-id-payloads-ndeath-will-message-qos, -retain, tck-id-topics-ndeath-payload, tck-id-topics-ndeath-seq].
   */
  connect(now: number): { bdSeq: number; will: SpMessage } {
    this.bdSeq = (this.bdSeq + 1) % 256;
    return { bdSeq: this.bdSeq, will: this.ndeath(now) };
  }

  /** The death certificate of the current connect (also published before a clean disconnect). */
  ndeath(now: number): SpMessage {
    const payload = encodePayload({ timestamp: now, metrics: [{ name: 'bdSeq', type: 'Int64', value: this.bdSeq }] });
    return { topic: sparkplugTopic(this.group, 'NDEATH', this.edge), payload, qos: 1, retain: false };
  }

  /**
   * NBIRTH: seq 0 [tck-id-topics-nbirth-seq-num], the same bdSeq as the will
   * [tck-id-topics-nbirth-bdseq-matching], `Node Control/Rebirth` false and
   * without an alias [tck-id-topics-nbirth-rebirth-metric,
   * tck-id-operational-behavior-data-commands-rebirth-name-aliases], and every
   * node metric [tck-id-topics-nbirth-metric-reqs]. QoS 0, not retained
   * [tck-id-topics-nbirth-mqtt]. Aliases restart here, so device births follow.
   */
  nbirth(health: NodeHealth, now: number): SpMessage {
    this.seq = 0;
    this.nodeHealth = { ...health };
    this.nodeAliases = new Map(Object.keys(health).map((k, i) => [k, i + 1]));
    let n = 0;
    for (const d of this.devices.values()) d.alias = DEVICE_ALIAS_BASE + DEVICE_ALIAS_BLOCK * n++;
    const metrics: UMetric[] = [
      { name: 'bdSeq', type: 'Int64', value: this.bdSeq, timestamp: now },
      { name: REBIRTH_METRIC, type: 'Boolean', value: false, timestamp: now },
      ...Object.entries(health).map(([name, value]): UMetric => ({
        name,
        alias: this.nodeAliases.get(name)!,
        type: 'String',
        value,
        timestamp: now,
      })),
    ];
    return this.msg('NBIRTH', undefined, metrics, now);
  }

  /** NDATA with the node metrics that changed [tck-id-topics-ndata-payload]; null when none did. */
  ndata(health: NodeHealth, now: number): SpMessage | null {
    const metrics: UMetric[] = [];
    for (const [name, value] of Object.entries(health)) {
      const alias = this.nodeAliases.get(name);
      // A component that was not in the NBIRTH cannot be sent: the caller rebirths instead.
      if (alias === undefined || this.nodeHealth[name] === value) continue;
      metrics.push({ alias, type: 'String', value, timestamp: now });
      this.nodeHealth[name] = value;
    }
    return metrics.length ? this.msg('NDATA', undefined, metrics, now) : null;
  }

  /** True when `health` names a component the last NBIRTH did not declare (a rebirth is due). */
  needsRebirth(health: NodeHealth): boolean {
    return Object.keys(health).some((k) => !this.nodeAliases.has(k));
  }

  /** Known devices (assets), in birth order. */
  deviceIds(): string[] {
    return [...this.devices.keys()];
  }

  /** The current values of a device (a fresh one is created not active). */
  state(device: string, health: string): DeviceState {
    return this.entry(device, health).state;
  }

  /** Known values of a device from before a restart (its DBIRTH will carry them). */
  restore(device: string, state: DeviceState): void {
    this.entry(device, String(state['Health/Agent'])).state = { ...state };
  }

  /** DBIRTH with every metric and its current value; seq continues from the NBIRTH [tck-id-topics-dbirth-seq]. */
  dbirth(device: string, state: DeviceState, now: number): SpMessage {
    const d = this.entry(device, String(state['Health/Agent']));
    d.state = { ...state };
    return this.msg('DBIRTH', device, deviceMetrics(d.state, d.alias, now), now);
  }

  /** DDATA with the metrics that changed, by alias; null when nothing changed. */
  ddata(device: string, next: DeviceState, now: number): SpMessage | null {
    const d = this.devices.get(device);
    if (!d) throw new Error(`DDATA for ${device} before its DBIRTH`);
    const changed = diffState(d.state, next);
    if (changed.size === 0) return null;
    d.state = { ...next };
    return this.msg('DDATA', device, deviceMetrics(d.state, d.alias, now, changed), now);
  }

  /** The seq the next message will carry (tests, logs). */
  get nextSeq(): number {
    return this.seq;
  }

  private entry(device: string, health: string): { alias: number; state: DeviceState } {
    let d = this.devices.get(device);
    if (!d) {
      d = { alias: DEVICE_ALIAS_BASE + DEVICE_ALIAS_BLOCK * this.devices.size, state: emptyDeviceState(health) };
      this.devices.set(device, d);
    }
    return d;
  }

  /**
   * One message with the running seq (0..255, +1 per message of this edge node, NDEATH excepted
   * [tck-id-payloads-sequence-num-always-included, tck-id-payloads-sequence-num-incrementing]) and
   * the send time [tck-id-payloads-timestamp-in-UTC]. Births and data go at QoS 0, not retained
   * [tck-id-topics-dbirth-mqtt, tck-id-topics-ddata-mqtt].
   */
  private msg(type: string, device: string | undefined, metrics: UMetric[], now: number): SpMessage {
    const seq = this.seq;
    this.seq = (this.seq + 1) % 256;
    const topic = sparkplugTopic(this.group, type, this.edge, device === undefined ? undefined : sparkplugId(device));
    return { topic, payload: encodePayload({ timestamp: now, seq, metrics }), qos: 0, retain: false };
  }
}

/** Whether an NCMD asks for a rebirth: `Node Control/Rebirth` = true [tck-id-operational-behavior-data-commands-ncmd-rebirth-name, -value]. */
export function isRebirthRequest(metrics: UMetric[] | null | undefined): boolean {
  return (metrics ?? []).some((m) => m.name === REBIRTH_METRIC && m.value === true);
}

/** Number of device metrics (aliases per device block must cover them). */
export const DEVICE_METRIC_COUNT = DEVICE_METRICS.length;
