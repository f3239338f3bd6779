/**
 * The Sparkplug B payload codec (Eclipse Tahu's `sparkplug-payload`, the
 * reference protobuf definition), shared by the ingest decoder and the
 * Sparkplug uplink, plus the few helpers both need around it.
 */
import { createRequire } from 'node:module';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';

export type { UMetric, UPayload };

interface Codec {
  encodePayload(p: UPayload): Uint8Array;
  decodePayload(b: Uint8Array): UPayload;
}

// The package is CommonJS with a namespace registry; spBv1.0 is the only B namespace.
const require = createRequire(import.meta.url);
const spb = (require('sparkplug-payload') as { get(ns: string): Codec }).get('spBv1.0');

/** Encode a payload to protobuf bytes. */
export function encodePayload(p: UPayload): Buffer {
  const b = spb.encodePayload(p);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Decode protobuf bytes; throws on bytes that are not a Sparkplug B payload. */
export function decodePayload(b: Uint8Array): UPayload {
  return spb.decodePayload(b);
}

/** A number from a protobuf field that may be a Long (uint64/int64), a number, or absent. */
export function toNum(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** The Sparkplug B topic namespace [tck-id-topic-structure-namespace-a]. */
export const NAMESPACE = 'spBv1.0';

/** `spBv1.0/<group>/<type>/<edge>[/<device>]` [tck-id-topic-structure]. */
export function sparkplugTopic(group: string, type: string, edge: string, device?: string): string {
  return `${NAMESPACE}/${group}/${type}/${edge}${device === undefined ? '' : `/${device}`}`;
}

/** Sparkplug ids may not contain + / # [tck-id-topic-structure-namespace-valid-group-id, -edge-node-id, -device-id]. */
export function sparkplugId(s: string): string {
  return s.replace(/[/+#]/g, '_');
}
