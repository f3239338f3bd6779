/** Where a message came from, after topic mapping. */
export interface DecodeContext {
  topic: string;
  /** Asset from the topic capture or the subscription's fixed asset. */
  asset: string | undefined;
  /** Signal from the topic capture or the subscription's fixed signal. */
  signal: string | undefined;
  /** Wall-clock arrival time, ms epoch (used when the payload has no timestamp). */
  arrivalMs: number;
}

/** Receives each decoded value; a callback rather than an array so decoding allocates nothing per value. */
export type EmitSample = (asset: string, signal: string, value: number, ts: number) => void;

/**
 * A payload decoder. Throws DecodeError on a malformed payload (the source
 * catches it, counts it and logs it rate-limited); never emits NaN on purpose.
 */
export interface Decoder {
  decode(payload: Buffer, ctx: DecodeContext, emit: EmitSample): void;
}

/** A malformed payload. `reason` is a stable short key for counters and rate-limited logs. */
export class DecodeError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}
