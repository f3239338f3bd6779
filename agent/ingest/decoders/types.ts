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

/**
 * Receives what a decoder finds in one message. The caller builds it once
 * (not per message), so decoding allocates nothing per value.
 */
export interface SampleEmitter {
  /** One decoded value of one signal. */
  sample(asset: string, signal: string, value: number, ts: number): void;
  /**
   * The scan hook: every value of `asset` emitted since its last endScan is
   * one scan, the signal values of one instant (docs/architecture.md,
   * "Scans"). A decoder whose message carries several signals of an asset
   * (a JSON signals map, a Sparkplug DATA or BIRTH) calls it once per asset
   * after the message's values, so the scan closes at once, even when the
   * message carries only some of the asset's signals (report by exception):
   * the others keep their last values. A decoder whose messages carry one
   * signal each never calls it: the window assembles those scans itself.
   */
  endScan(asset: string): void;
}

/**
 * A payload decoder. Throws DecodeError on a malformed payload (the source
 * catches it, counts it and logs it rate-limited); a decoder that throws
 * after emitting some values of a multi-signal message ends their scan first.
 * Never emits NaN on purpose.
 */
export interface Decoder {
  decode(payload: Buffer, ctx: DecodeContext, emit: SampleEmitter): void;
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
