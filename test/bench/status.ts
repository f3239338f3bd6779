/**
 * bench:status — what the live status page costs per decision, against an
 * empty `decision` listener on the same bus in the same run (the ratio is the
 * figure that travels between machines), and what one page update costs to
 * build and send for N assets.
 *
 *   npm run bench:status -- [--assets 100] [--decisions 2000000] [--json]
 *
 * With --json the last stdout line is one JSON object.
 */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { EventBus } from '../../agent/events.js';
import { StatusFeed } from '../../agent/observe/status/feed.js';
import type { Decision } from '../../agent/types.js';
import { benchMain, parseBenchArgs } from './lib/args.js';
import { machine, round } from './lib/common.js';

/** ns per decision through the bus with `attach` subscribed; best of 5 passes. */
function nsPerDecision(nAssets: number, n: number, attach: (bus: EventBus) => void): number {
  const bus = new EventBus(pino({ level: 'silent' }));
  attach(bus);
  // One preallocated decision per asset, mutated in place: the bench measures the listener, not the producer.
  const ds: Decision[] = Array.from({ length: nAssets }, (_, i) => ({
    asset: `A-${i}`,
    ts: 0,
    phase: 'detecting',
    score: 0,
    threshold: 10,
    anomalous: false,
    source: 'model',
    latencyUs: 200,
    deadlineMissed: false,
  }));
  let best = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const d = ds[i % nAssets]!;
      // 10 decisions per asset per second of source time: buckets open and close as in a live plant.
      d.ts = 1_700_000_000_000 + pass * 1e9 + Math.floor(i / nAssets) * 100;
      d.score = (i * 7919) % 13;
      d.anomalous = d.score > 11;
      bus.emit('decision', d);
    }
    best = Math.min(best, ((performance.now() - t0) * 1e6) / n);
  }
  return best;
}

async function main(): Promise<void> {
  const a = parseBenchArgs('bench:status', process.argv.slice(2), {
    assets: { type: 'string', help: 'assets sending decisions (default 100)' },
    decisions: { type: 'string', help: 'decisions per measured pass (default 2000000)' },
    json: { type: 'boolean', help: 'last stdout line is one JSON object' },
  });
  const nAssets = a.num('assets', 100, { min: 1, integer: true });
  const n = a.num('decisions', 2_000_000, { min: 1000, integer: true });
  const empty = nsPerDecision(nAssets, n, (bus) => bus.on('decision', () => undefined));
  let feed: StatusFeed | undefined;
  const withFeed = nsPerDecision(nAssets, n, (bus) => {
    feed = new StatusFeed(bus, { bucketMs: 2000, buckets: 150, maxAssets: 10_000, learnSamples: () => 300 });
    feed.start();
  });
  // One full page state (what a browser gets on connect) for nAssets with full rings.
  const t0 = performance.now();
  const text = JSON.stringify({ assets: feed!.assets(), alerts: feed!.alerts() });
  const fullMs = performance.now() - t0;
  const out = {
    assets: nAssets,
    decisions: n,
    emptyListenerNsPerDecision: round(empty, 1),
    statusFeedNsPerDecision: round(withFeed, 1),
    addedNsPerDecision: round(withFeed - empty, 1),
    ratioToEmptyListener: round(withFeed / empty, 2),
    fullStateKb: round(text.length / 1024, 1),
    fullStateMs: round(fullMs, 2),
    ...machine(),
  };
  if (!a.flag('json')) {
    process.stdout.write(
      `status feed: ${out.statusFeedNsPerDecision} ns/decision vs ${out.emptyListenerNsPerDecision} ns with an empty listener (x${out.ratioToEmptyListener}); ` +
        `full page state for ${nAssets} assets: ${out.fullStateKb} KB in ${out.fullStateMs} ms\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

benchMain(main);
