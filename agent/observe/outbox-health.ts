import type { HealthRegistry } from './health.js';

/** The outbox figures the health check reads (OutboxStats has them). */
export interface OutboxFill {
  stats(): { queued: number; bytes: number; maxCount: number; maxBytes: number; dropped: number; rejected: number };
}

/**
 * Outbox health, checked every tick: degraded above `fill` of its bound
 * (count or bytes, whichever is fuller), down once the overflow policy has
 * dropped or refused an alert — until the fill is back below 90 % of the
 * warning level, so a full outbox that drains a little does not flap.
 */
export function watchOutbox(registry: HealthRegistry, outbox: OutboxFill, fill: number): void {
  registry.register('outbox');
  const s0 = outbox.stats();
  let overflowSeen = s0.dropped + s0.rejected;
  let overflowing = false;
  registry.addProbe(() => {
    const s = outbox.stats();
    const f = Math.max(s.queued / s.maxCount, s.bytes / s.maxBytes);
    const over = s.dropped + s.rejected;
    if (over > overflowSeen) overflowing = true;
    else if (f < fill * 0.9) overflowing = false;
    const pct = Math.round(f * 100);
    if (overflowing) {
      registry.set(
        'outbox',
        'fill',
        'down',
        'outbox_full',
        `outbox full (${s.queued} alerts, ${pct} %): ${over - overflowSeen} alerts dropped or refused by the overflow policy`,
      );
    } else if (f >= fill) {
      registry.set(
        'outbox',
        'fill',
        'degraded',
        'outbox_filling',
        `outbox at ${pct} % of its bound (${s.queued} alerts, ${s.bytes} bytes)`,
      );
    } else {
      overflowSeen = over;
      registry.clear('outbox', 'fill', `${s.queued} alerts queued (${pct} %)`);
    }
  });
}
