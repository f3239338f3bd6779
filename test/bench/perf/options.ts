/**
 * Options of `npm run bench:perf -- [--json] [--quick] [--soak MINUTES]
 * [--no-node-red] [--step-s S] [--assets N] [--signals M] [--url U]
 * [--rates R1,R2] [--agent-only] [--prof DIR] [--outbox-sync full|normal]
 * [--inject-ms MS] [--nice N] [--agent-node-args "FLAGS"]
 * [--inproc-s S]`.
 */

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
}

export function perfOptions(argv: string[]): PerfOptions {
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, dflt: number): number => {
    const v = opt(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} wants a non-negative number, got ${JSON.stringify(v)}`);
    return n;
  };
  const quick = argv.includes('--quick');
  const stepMs = num('--step-s', quick ? 1.5 : 5) * 1000;
  return {
    json: argv.includes('--json'),
    quick,
    url: opt('--url') ?? 'mqtt://127.0.0.1:1883',
    assets: num('--assets', quick ? 4 : 100),
    signals: num('--signals', quick ? 3 : 5),
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
    injectEveryMs: num('--inject-ms', quick ? 250 : 500),
    drainGraceMs: quick ? 2000 : 1000,
    backlogP50Us: 50_000,
    soakMin: num('--soak', quick ? 0 : 10),
    nodeRed: !argv.includes('--no-node-red'),
    footprintRate: quick ? 1000 : 10_000,
    profDir: opt('--prof'),
    agentOnly: argv.includes('--agent-only'),
    rateList: opt('--rates')?.split(',').map(Number),
    outboxSync: opt('--outbox-sync') === 'normal' ? 'normal' : 'full',
    nice: Number(opt('--nice') ?? 0),
    inprocS: num('--inproc-s', quick ? 1 : 5),
    agentNodeArgs: (opt('--agent-node-args') ?? '').split(' ').filter((a) => a !== ''),
  };
}
