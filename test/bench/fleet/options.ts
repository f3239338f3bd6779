/** Flags of `npm run bench:fleet` (parsed by the shared strict parser, test/bench/lib/args.ts). */
import { BenchUsageError, parseBenchArgs } from '../lib/args.js';

export function fleetOptions(argv: string[]) {
  const a = parseBenchArgs('bench:fleet', argv, {
    json: { type: 'boolean', help: 'last stdout line is one JSON object' },
    agents: { type: 'string', help: 'sites, each an agent behind its own edge Mosquitto (default 20)' },
    assets: { type: 'string', help: 'assets per agent (default 4)' },
    signals: { type: 'string', help: 'signals per asset (default 2)' },
    rate: { type: 'string', help: 'scans per second per asset (default 5)' },
    learn: { type: 'string', help: 'learning samples per asset (default 60)' },
    'burst-s': { type: 'string', help: 'seconds of faults switching on and off (default 120)' },
    'on-s': { type: 'string', help: 'seconds each fault lasts (default 3)' },
    'off-s': { type: 'string', help: 'seconds between faults of one asset (default 5)' },
    'cut-s': { type: 'string', help: 'seconds the bridges are cut, in the middle of the burst (default 60)' },
    'cut-sites': { type: 'string', help: 'sites whose bridge is cut (default 1)' },
    'drain-s': { type: 'string', help: 'most seconds to wait for stragglers after the burst (default 120)' },
    'flood-s': {
      type: 'string',
      help: 'seconds of alert-sized messages flat out through the bridges, for the ceiling (default 15; 0 = skip)',
    },
    nice: { type: 'string', help: 'nice level of brokers and agents on a shared box (default 10; 0 = none)' },
  });
  const o = {
    json: a.flag('json'),
    agents: a.num('agents', 20, { min: 1, integer: true }),
    assets: a.num('assets', 4, { min: 1, integer: true }),
    signals: a.num('signals', 2, { min: 1, integer: true }),
    rateHz: a.num('rate', 5, { min: 0.1 }),
    learn: a.num('learn', 60, { min: 20, integer: true }),
    burstS: a.num('burst-s', 120, { min: 1 }),
    onS: a.num('on-s', 3, { min: 0.5 }),
    offS: a.num('off-s', 5, { min: 0.5 }),
    cutS: a.num('cut-s', 60, { min: 0 }),
    cutSites: a.num('cut-sites', 1, { min: 0, integer: true }),
    drainS: a.num('drain-s', 120, { min: 0 }),
    floodS: a.num('flood-s', 15, { min: 0 }),
    nice: a.num('nice', 10, { min: 0, max: 19, integer: true }),
  };
  if (o.cutS > o.burstS) throw new BenchUsageError(`bench:fleet: --cut-s (${o.cutS}) must fit inside --burst-s (${o.burstS})`, '');
  if (o.cutSites > o.agents) throw new BenchUsageError(`bench:fleet: --cut-sites (${o.cutSites}) is more than --agents (${o.agents})`, '');
  return o;
}

export type FleetOptions = ReturnType<typeof fleetOptions>;
