/**
 * Sparkplug B payloads read at the protobuf level, as a host application
 * needs them: the library's decoder turns a DATA metric without a datatype
 * into "no value", but the spec lets DATA omit the datatype and the birth's
 * applies [tck-id-payloads-metric-datatype-not-req]. Here a metric keeps its
 * raw value fields and its datatype only if it was sent; the host resolves
 * the type against the birth. Tahu-compressed payloads (uuid
 * SPBV1.0_COMPRESSED, DEFLATE or GZIP body) are opened here too.
 */
import { createRequire } from 'node:module';
import { gunzipSync, inflateSync } from 'node:zlib';
import { toNum } from '../../sparkplug/codec.js';

/** Sparkplug B datatype numbers (the DataType enum of the payload definition). */
export const DT = {
  Unknown: 0,
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Template: 19,
} as const;

/** One metric as sent: undefined = the field was not in the message. */
export interface RawMetric {
  name: string | undefined;
  alias: number | undefined;
  datatype: number | undefined;
  isNull: boolean;
  isHistorical: boolean;
  timestamp: number | undefined;
  /** The raw value fields; which one holds the value depends on the datatype. */
  fields: Partial<Record<'intValue' | 'longValue' | 'floatValue' | 'doubleValue' | 'booleanValue' | 'stringValue', unknown>>;
}

export interface RawPayload {
  timestamp: number | undefined;
  seq: number | undefined;
  metrics: RawMetric[];
  /** True when the message was Tahu-compressed (and has been opened). */
  compressed: boolean;
}

interface ProtoMetric {
  name?: string;
  alias?: unknown;
  datatype?: number;
  isNull?: boolean;
  isHistorical?: boolean;
  timestamp?: unknown;
  [k: string]: unknown;
}
interface ProtoPayload {
  timestamp?: unknown;
  seq?: unknown;
  uuid?: string;
  body?: Uint8Array;
  metrics?: ProtoMetric[];
}

const require = createRequire(import.meta.url);
const Payload = (
  require('sparkplug-payload/lib/sparkplugPayloadProto.js') as {
    org: { eclipse: { tahu: { protobuf: { Payload: { decode(b: Uint8Array): ProtoPayload } } } } };
  }
).org.eclipse.tahu.protobuf.Payload;

const COMPRESSED = 'SPBV1.0_COMPRESSED';
const VALUE_FIELDS = ['intValue', 'longValue', 'floatValue', 'doubleValue', 'booleanValue', 'stringValue'] as const;

/** Thrown for a compressed payload whose algorithm is not DEFLATE or GZIP, or whose body does not open. */
export class CompressionError extends Error {}

/** Decode a payload (throws on bytes that are not one); a compressed one is opened and its inner payload returned. */
export function decodeRaw(bytes: Uint8Array): RawPayload {
  const p = Payload.decode(bytes);
  if (p.uuid === COMPRESSED) {
    const alg = p.metrics?.find((m) => m.name === 'algorithm');
    const algorithm = typeof alg?.['stringValue'] === 'string' ? alg['stringValue'].toUpperCase() : 'DEFLATE';
    let inner: Buffer;
    try {
      if (algorithm === 'DEFLATE') inner = inflateSync(p.body ?? new Uint8Array());
      else if (algorithm === 'GZIP') inner = gunzipSync(p.body ?? new Uint8Array());
      else throw new CompressionError(`unsupported compression algorithm ${algorithm}`);
    } catch (err) {
      if (err instanceof CompressionError) throw err;
      throw new CompressionError(`compressed body does not open (${algorithm}): ${(err as Error).message}`);
    }
    return { ...convert(Payload.decode(inner)), compressed: true };
  }
  return { ...convert(p), compressed: false };
}

function convert(p: ProtoPayload): Omit<RawPayload, 'compressed'> {
  const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  return {
    timestamp: has(p, 'timestamp') ? toNum(p.timestamp) : undefined,
    seq: has(p, 'seq') ? toNum(p.seq) : undefined,
    metrics: (p.metrics ?? []).map((m) => {
      const fields: RawMetric['fields'] = {};
      for (const f of VALUE_FIELDS) if (has(m, f) && m[f] !== null) fields[f] = m[f];
      return {
        name: has(m, 'name') ? m.name : undefined,
        alias: has(m, 'alias') ? toNum(m.alias) : undefined,
        // 0 (Unknown) is what the wire carries when the field is absent.
        datatype: has(m, 'datatype') && m.datatype !== 0 ? m.datatype : undefined,
        isNull: m.isNull === true,
        isHistorical: m.isHistorical === true,
        timestamp: has(m, 'timestamp') ? toNum(m.timestamp) : undefined,
        fields,
      };
    }),
  };
}

/** Whether a datatype carries a number the detector can use (Boolean as 0/1; a DateTime only ever grows, so it is not one). */
export function isNumericType(dt: number): boolean {
  return dt >= DT.Int8 && dt <= DT.Boolean;
}

/**
 * The numeric value of a metric read as datatype `dt`, or undefined when the
 * field that type uses is absent. Signed integers arrive as unsigned two's
 * complement (Sparkplug 3.0, "Int8 … Int32 in int_value, Int64 in long_value").
 */
export function numericValue(m: RawMetric, dt: number): number | undefined {
  const f = m.fields;
  switch (dt) {
    case DT.Int8:
    case DT.Int16:
    case DT.Int32: {
      const u = toNum(f.intValue);
      if (u === undefined) return undefined;
      const bits = dt === DT.Int8 ? 24 : dt === DT.Int16 ? 16 : 0;
      return ((u << bits) >> bits) | 0;
    }
    case DT.UInt8:
    case DT.UInt16:
    case DT.UInt32:
      return toNum(f.intValue);
    case DT.Int64: {
      const l = f.longValue as { toSigned?(): { toNumber(): number } } | undefined;
      return l && typeof l.toSigned === 'function' ? l.toSigned().toNumber() : toNum(f.longValue);
    }
    case DT.UInt64:
      return toNum(f.longValue);
    case DT.Float:
      return toNum(f.floatValue);
    case DT.Double:
      return toNum(f.doubleValue);
    case DT.Boolean:
      return typeof f.booleanValue === 'boolean' ? (f.booleanValue ? 1 : 0) : undefined;
    default:
      return undefined;
  }
}
