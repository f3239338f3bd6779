import type { AgentStats } from '../../agent/observe/stats.js';

type Rejected = AgentStats['rejected'];

/** Why each reason drops a sample, in the words a flow author needs. */
const WHY: Record<keyof Rejected, string> = {
  nonFinite: 'not a finite number (NaN or Infinity)',
  late: 'older than the newest sample of the same signal (late)',
  duplicate: 'the same signal and timestamp as the previous sample (duplicate)',
  future: 'stamped further in the future than the clock-skew bound allows (check msg.timestamp and the clocks)',
  unknownSignal: 'a signal the asset did not have while it learned (an asset keeps the signals it learned with; refit it to add one)',
  assetLimit: 'one asset more than assets.maxAssets allows (raise it in the config node, or map fewer topics to assets)',
  signalLimit: 'one signal more than assets.maxSignals allows for this asset',
};

/** A copy of the rejection counters, to compare after a message was fed to the pipeline. */
export function rejectedSnapshot(r: Rejected): Rejected {
  return { ...r };
}

/**
 * The error for a message none of whose samples was accepted: which signals,
 * and each reason that rose while the message was fed (the counters' difference).
 */
export function rejectionMessage(asset: string, signals: string[], before: Rejected, after: Rejected): string {
  const reasons = (Object.keys(WHY) as Array<keyof Rejected>).filter((k) => after[k] > before[k]).map((k) => WHY[k]);
  return `no sample of asset "${asset}" was accepted (signals: ${signals.join(', ')}): ${reasons.join('; ') || 'rejected by the window stage'}`;
}
