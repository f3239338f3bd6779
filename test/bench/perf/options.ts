/**
 * Options of `npm run bench:perf -- [flags]`, parsed strictly (test/bench/lib/args.ts):
 * an unknown flag or a malformed value (`--nice abc`) stops the bench with exit code 2.
 */
import { parseBenchArgs } from '../lib/args.js';

export const PERF_FLAGS = {
  json: { type: 'boolean', help: 'the last stdout line is one JSON object' },
  quick: { type: 'boolean', help: '~30 s smoke run: tiny load, no search, no soak' },
  soak: { type: 'string', help: 'minutes of the memory soak at the footprint rate (default 10; 0 = none)' },
  'no-node-red': { type: 'boolean', help: 'skip the Node-RED peer' },
  'step-s': { type: 'string', help: 'seconds per rate step (default 5)' },
  assets: { type: 'string', help: 'assets (default 100)' },
  signals: { type: 'string', help: 'signals per asset (default 5)' },
  url: { type: 'string', help: 'plant broker (default mqtt://127.0.0.1:1883)' },
  rates: { type: 'string', help: 'fixed rates, samples/s, comma-separated (default 1000,10000,50000)' },
  'agent-only': { type: 'boolean', help: "only the agent's fixed rates (for profiling)" },
  prof: { type: 'string', help: 'write a V8 CPU profile of the agent (both threads) into DIR' },
  'outbox-sync': { type: 'string', help: 'the outbox SQLite synchronous mode: full (shipped) | normal' },
  'inject-ms': { type: 'string', help: 'one spike every MS, round robin over the assets (default 500; 1000 with --quick)' },
  nice: { type: 'string', help: 'nice(1) value for the consumer under test, agent and Node-RED alike (-20..19)' },
  'agent-node-args': { type: 'string', help: 'extra node flags for every agent process, space-separated' },
  'inproc-s': { type: 'string', help: 'seconds of the in-process (no broker) run (default 5; 0 = skip)' },
  contend: {
    type: 'boolean',
    help: 'also run the 10k/s step with a CPU hog on every core, without and with the profile scheduling',
  },
  profile: { type: 'string', help: 'hardware profile whose scheduling --contend applies (default x86-gateway)' },
} as const;

export interface PerfOptions {
  json: boolean;
  quick: boolean;
  url: string;
  assets: number;
  signals: number;
  learnSamples: number;
  /** Fixed rates measured for both consumers (samples/s); the first ≥ 10k is the "target" rate of the headline figures. */
  rates: number[];
  nodeRedRates: number[];
  /** Max-rate search: first rate, step factor, cap; 0 = no search. */
  searchFrom: number;
  searchFactor: number;
  searchCap: number;
  nrSearchFrom: number;
  nrSearchFactor: number;
  warmMs: number;
  stepMs: number;
  injectEveryMs: number;
  drainGraceMs: number;
  backlogP50Us: number;
  soakMin: number;
  nodeRed: boolean;
  /** Rate of the start-up, footprint and soak runs. */
  footprintRate: number;
  /** Write a V8 CPU profile of the main agent run into this directory (node --cpu-prof). */
  profDir: string | undefined;
  /** Only the agent's fixed rates (no footprint, LM, Node-RED or soak): for profiling. */
  agentOnly: boolean;
  /** Override the fixed rates (comma-separated samples/s). */
  rateList: number[] | undefined;
  outboxSync: 'full' | 'normal';
  /** nice(1) value for the consumer under test (agent and Node-RED alike), e.g. -10 on a shared box. */
  nice: number;
  /** Extra node flags for every agent process, e.g. "--max-semi-space-size=1" (space-separated). */
  agentNodeArgs: string[];
  /** Seconds of the in-process (no broker) run; 0 = skip. */
  inprocS: number;
  /** Run the contended steps (a CPU hog per core) without and with the profile's scheduling. */
  contend: boolean;
  /** The hardware profile (folder under hardware/) whose scheduling the contended run applies. */
  profile: string;
}

export function perfOptions(argv: string[]): PerfOptions {
  const a = parseBenchArgs('bench:perf', argv, PERF_FLAGS);
  const quick = a.flag('quick');
  const stepMs = a.num('step-s', quick ? 1.5 : 5, { min: 0.1 }) * 1000;
  const rateList = a.values.rates === undefined ? undefined : a.nums('rates', [], { min: 1 });
  return {
    json: a.flag('json'),
    quick,
    url: a.str('url', 'mqtt://127.0.0.1:1883'),
    assets: a.num('assets', quick ? 4 : 100, { min: 1, integer: true }),
    signals: a.num('signals', quick ? 3 : 5, { min: 1, integer: true }),
    learnSamples: quick ? 40 : 300,
    rates: quick ? [300, 1000] : [1000, 10_000, 50_000],
    nodeRedRates: quick ? [300, 1000] : [1000, 10_000],
    searchFrom: quick ? 0 : 60_000,
    searchFactor: 1.25,
    searchCap: 400_000,
    nrSearchFrom: quick ? 0 : 15_000,
    nrSearchFactor: 1.4,
    warmMs: quick ? 300 : 1000,
    stepMs,
    // Alert hysteresis counts scans: an asset spiked again before its alert resolved (resolveAfter scans after the
    // features calm down, ~2 s at the quick load's 25-83 scans/s) stays one alert. 4 quick assets → one spike each per 4 s.
    injectEveryMs: a.num('inject-ms', quick ? 1000 : 500, { min: 0 }),
    drainGraceMs: quick ? 2000 : 1000,
    backlogP50Us: 50_000,
    soakMin: a.num('soak', quick ? 0 : 10, { min: 0 }),
    nodeRed: !a.flag('no-node-red'),
    footprintRate: quick ? 1000 : 10_000,
    profDir: a.str('prof', undefined),
    agentOnly: a.flag('agent-only'),
    rateList,
    outboxSync: a.oneOf('outbox-sync', ['full', 'normal'] as const, 'full'),
    nice: a.num('nice', 0, { min: -20, max: 19, integer: true }),
    inprocS: a.num('inproc-s', quick ? 1 : 5, { min: 0 }),
    agentNodeArgs: a
      .str('agent-node-args', '')
      .split(' ')
      .filter((x) => x !== ''),
    contend: a.flag('contend'),
    profile: a.str('profile', 'x86-gateway'),
  };
}
