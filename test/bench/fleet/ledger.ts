/**
 * The fleet bench's ledger (Jepsen-style: what was decided, what was sent,
 * what arrived, what was lost), computed from each site's own records and
 * the central consumer's arrivals. Pure, so it is checked without brokers.
 */

/** One alert message as the central consumer received it. */
export interface Arrival {
  id: string;
  site: string;
  asset: string;
  /** Wall ms when the agent published it (the alert's `sent`) and when it arrived centrally. */
  sentMs: number;
  arrivedMs: number;
}

/** One site's records: alerts its agent decided, and the order its uplink published them in (egress audit). */
export interface SiteLedger {
  site: string;
  decided: string[];
  published: string[];
}

export interface FleetLedger {
  alerts: number;
  delivered: number;
  lost: number;
  lostIds: string[];
  duplicates: number;
  /** Arrivals that came after one the same site published later (per-site order broken). */
  outOfOrder: number;
  /** The same, per asset (the agent's own ordering promise). */
  outOfOrderPerAsset: number;
  /** Sites with per-site inversions, and how many. */
  outOfOrderBySite: Record<string, number>;
  deliveryMs: number[];
}

/** Fold arrivals against the sites' records. */
export function ledger(sites: SiteLedger[], arrivals: Arrival[]): FleetLedger {
  const first = new Map<string, Arrival>();
  let duplicates = 0;
  for (const a of arrivals) {
    if (first.has(a.id)) duplicates++;
    else first.set(a.id, a);
  }
  let alerts = 0;
  let outOfOrder = 0;
  let outOfOrderPerAsset = 0;
  const outOfOrderBySite: Record<string, number> = {};
  const lostIds: string[] = [];
  for (const s of sites) {
    alerts += s.decided.length;
    for (const id of s.decided) if (!first.has(id)) lostIds.push(id);
    // The first publish of each id fixes its place in the site's order (a retry keeps the place).
    const rank = new Map<string, number>();
    for (const id of s.published) if (!rank.has(id)) rank.set(id, rank.size);
    let maxSite = -1;
    const maxAsset = new Map<string, number>();
    const seen = new Set<string>();
    for (const a of arrivals) {
      if (a.site !== s.site || seen.has(a.id)) continue;
      seen.add(a.id);
      const r = rank.get(a.id);
      if (r === undefined) continue;
      if (r < maxSite) {
        outOfOrder++;
        outOfOrderBySite[s.site] = (outOfOrderBySite[s.site] ?? 0) + 1;
      }
      maxSite = Math.max(maxSite, r);
      const m = maxAsset.get(a.asset) ?? -1;
      if (r < m) outOfOrderPerAsset++;
      maxAsset.set(a.asset, Math.max(m, r));
    }
  }
  const deliveryMs = [...first.values()].map((a) => a.arrivedMs - a.sentMs);
  return {
    alerts,
    delivered: first.size,
    lost: lostIds.length,
    lostIds,
    duplicates,
    outOfOrder,
    outOfOrderPerAsset,
    outOfOrderBySite,
    deliveryMs,
  };
}

/** The q-quantile (0..1) of a list, nearest rank; null when empty. */
export function quantile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
