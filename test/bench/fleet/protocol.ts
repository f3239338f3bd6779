/** IPC between the fleet bench (test/bench/fleet.ts) and each site process (site.ts). */

/** What a site process is started with (argv[2], JSON). */
export interface SiteSetup {
  site: string;
  agentId: string;
  /** The site's edge broker: plant data and the agent's uplink both go to it. */
  edgeUrl: string;
  prefix: string;
  stateDir: string;
  assets: number;
  signals: number;
  rateHz: number;
  learnSamples: number;
  seed: number;
}

/** Faults on and off on every asset for `durationS`: each asset `onS` faulty, `offS` normal, phases staggered. */
export interface Burst {
  type: 'burst';
  durationS: number;
  onS: number;
  offS: number;
}

export type ToSite = Burst | { type: 'report' } | { type: 'stop' };

/** The site's own ledger: every alert its agent decided, in decision order, and what is still queued. */
export interface SiteReport {
  type: 'report';
  decided: Array<{ id: string; asset: string }>;
  queued: number;
  auditPath: string;
  cpuS: number;
  rssMb: number;
}

export type FromSite = { type: 'ready' } | { type: 'learned' } | { type: 'burst-done'; faults: number } | SiteReport;
