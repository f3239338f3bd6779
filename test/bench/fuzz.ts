/**
 * `npm run bench:fuzz -- [--json] [--cases N] [--mqtt N] [--cardinality N] [--seed S]` (`--help` lists every flag)
 *
 * Hostile input at scale, into the real agent (detect.isolation inline, so the entry is in this process):
 * 1. `--cases` generated payloads (test/bench/fuzz/gen.ts: wrong JSON types, deep nesting, huge arrays,
 *    numbers in every notation, invalid UTF-8, random and mutated bytes, odd topics, Sparkplug B births and
 *    data with alias and seq abuse, missing births, truncated and mutated protobufs) through
 *    MqttSource.onMessage, the entry the MQTT client calls: decode → window → detect.
 * 2. `--mqtt` of them published to Mosquitto, which delivers them to the agent's own plant connection.
 * 3. A topic-cardinality attack: `--cardinality` distinct assets (long names), and one asset with as many
 *    distinct signals; the agent's maps and the /metrics label sets must stay within assets.maxAssets and
 *    assets.maxSignals, everything beyond counted.
 * A crash is an exception out of the entry, an uncaught exception or an unhandled rejection, or an agent
 * that no longer decides afterwards. Rejections are counted by reason from the agent's own counters and its
 * decode-error log lines (agent.rateLimitMs 0, so each rejection logs). With --json the last stdout line is
 * one JSON object.
 */
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../agent/config/load.js';
import { Agent } from '../../agent/controller.js';
import { defaultExtensions } from '../../agent/extensions.js';
import type { InlineHot } from '../../agent/hot/inline.js';
import { createRootLogger } from '../../agent/observe/logger.js';
import { rng } from '../../agent/sim/random.js';
import { benchMain, parseBenchArgs } from './lib/args.js';
import { machine, round } from './lib/common.js';
import { cases } from './fuzz/gen.js';
import { freePort, sleep } from './perf/procs.js';

const FLAGS = {
  json: { type: 'boolean', help: 'the last stdout line is one JSON object' },
  cases: { type: 'string', help: 'generated payloads through the entry point (default 1000000)' },
  mqtt: { type: 'string', help: 'of them, also published through Mosquitto (default 10000)' },
  cardinality: { type: 'string', help: 'distinct assets, and distinct signals of one asset, in the attack (default 100000)' },
  'max-assets': { type: 'string', help: 'assets.maxAssets of the agent under test (default: the shipped default)' },
  seed: { type: 'string', help: 'seed (default 1)' },
  url: { type: 'string', help: 'plant broker (default mqtt://127.0.0.1:1883)' },
} as const;

const say = (s: string): void => void process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  const a = parseBenchArgs('bench:fuzz', process.argv.slice(2), FLAGS);
  const o = {
    json: a.flag('json'),
    cases: a.num('cases', 1_000_000, { min: 1, integer: true }),
    mqtt: a.num('mqtt', 10_000, { min: 0, integer: true }),
    cardinality: a.num('cardinality', 100_000, { min: 0, integer: true }),
    maxAssets: a.num('max-assets', 0, { min: 0, integer: true }),
    seed: a.num('seed', 1, { integer: true }),
    url: a.str('url', 'mqtt://127.0.0.1:1883'),
  };
  let crashes = 0;
  const crashSamples: string[] = [];
  const crashed = (where: string, err: unknown): void => {
    crashes++;
    if (crashSamples.length < 10) crashSamples.push(`${where}: ${(err as Error)?.stack ?? String(err)}`.slice(0, 500));
  };
  process.on('uncaughtException', (err) => crashed('uncaughtException', err));
  process.on('unhandledRejection', (err) => crashed('unhandledRejection', err));

  // Every decode rejection logs (rateLimitMs 0); its reason is counted from the line.
  const decodeReasons: Record<string, number> = {};
  const internalSamples: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString('utf8').split('\n')) {
        if (!l.includes('decode failed')) continue;
        const r = /"reason":"([^"]+)"/.exec(l)?.[1] ?? 'unknown';
        decodeReasons[r] = (decodeReasons[r] ?? 0) + 1;
        // "internal": the decoder threw something other than its own DecodeError (a bug; caught and counted).
        if (r === 'internal' && internalSamples.length < 5) internalSamples.push(l.slice(0, 400));
      }
      cb();
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'es-fuzz-'));
  const tag = `fuzz${process.pid}${Math.random().toString(36).slice(2, 6)}`;
  const httpPort = await freePort();
  const cfg = parseConfig({
    agent: { id: 'fuzz', site: 'fuzz', stateDir: join(dir, 'state') },
    log: { level: 'warn', rateLimitMs: 0 },
    plant: {
      broker: { url: o.url, protocolVersion: 4 },
      subscriptions: [
        { topic: `${tag}/j/{asset}/{signal}`, decoder: 'json', json: { valuePath: 'value', timestampPath: 'ts' } },
        { topic: `${tag}/m/{asset}`, decoder: 'json', json: { signals: { a: 'a', b: 'd.b', c: 'c' }, timestampPath: 'ts' } },
        { topic: `${tag}/n/{asset}/{signal}`, decoder: 'number' },
        { topic: `spBv1.0/${tag}/#`, decoder: 'sparkplug' },
      ],
    },
    assets: { defaults: { learnSamples: 50 }, ...(o.maxAssets > 0 ? { maxAssets: o.maxAssets } : {}) },
    detect: { isolation: 'inline' },
    explain: { mode: 'template' },
    observe: { http: { enabled: true, port: httpPort } },
  });
  const agent = new Agent(cfg, createRootLogger('warn', logStream), defaultExtensions());
  await agent.start();
  const hot = agent.hot as InlineHot;
  const u = rng(o.seed);
  const next = cases(u, tag);
  let rssMbMax = 0;
  const rss = (): void => void (rssMbMax = Math.max(rssMbMax, process.memoryUsage().rss / 1048576));
  const byKind: Record<string, number> = {};
  const t0 = Date.now();
  try {
    // 1. In process, through the entry point.
    for (let i = 0; i < o.cases; i++) {
      const [kind, topic, payload] = next();
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      try {
        hot.source.onMessage(topic, payload, performance.now());
      } catch (err) {
        crashed(`onMessage(${kind})`, err);
      }
      if (i % 1000 === 999) {
        rss();
        await new Promise((r) => setImmediate(r)); // model batches and timers run between chunks
      }
      if (i % 200_000 === 199_999) say(`fuzz: ${i + 1} cases, ${crashes} crashes, RSS ${Math.round(rssMbMax)} MB`);
    }
    await hot.pipeline.flush();
    const inProcessS = (Date.now() - t0) / 1000;
    // 2. Through Mosquitto: published, delivered to the agent's own plant connection.
    const pub = mqtt.connect(o.url, { clientId: `${tag}-pub`, protocolVersion: 4 });
    await new Promise<void>((r, j) => {
      pub.once('connect', () => r());
      pub.once('error', j);
    });
    const m0 = agent.stats.messagesIn;
    let refused = 0;
    let expected = 0;
    for (let i = 0; i < o.mqtt; i++) {
      const [, topic, payload] = next();
      // MQTT forbids U+0000 in a topic: a broker drops the connection that sends one (the publisher's, not the agent's).
      if (topic.includes('\u0000')) {
        refused++;
        continue;
      }
      if (!topic.startsWith('spBv1.0/STATE/')) expected++;
      await pub.publishAsync(topic, payload, { qos: 1 });
    }
    for (let t = Date.now(); agent.stats.messagesIn - m0 < expected && Date.now() - t < 10_000;) await sleep(100);
    const mqttReceived = agent.stats.messagesIn - m0;
    await pub.endAsync();
    rss();
    const rssBeforeCardinality = process.memoryUsage().rss / 1048576;
    const assetsBefore = hot.pipeline.detectors.size;
    // 3. Topic cardinality: long distinct asset names, then one asset with many distinct signals.
    const long = 'x'.repeat(200);
    const now = Date.now();
    for (let i = 0; i < o.cardinality; i++) {
      hot.source.onMessage(`${tag}/n/${long}${i}/s0`, Buffer.from('1.5'), performance.now());
      hot.source.onMessage(`${tag}/j/wide/sig${i}`, Buffer.from(`{"value":1,"ts":${now + i}}`), performance.now());
      if (i % 1000 === 999) {
        rss();
        await new Promise((r) => setImmediate(r));
      }
    }
    await hot.pipeline.flush();
    rss();
    const metricsText = await fetch(`http://127.0.0.1:${httpPort}/metrics`).then((r) => r.text());
    const assetLabels = (metricsText.match(/^edge_sentinel_asset_detecting\{/gm) ?? []).length;
    const labelSets = (metricsText.match(/^edge_sentinel_[a-z_]+\{/gm) ?? []).length;
    const wide = hot.pipeline.detectors.get('wide');
    // Still alive: a valid stream on a fresh topic is decided.
    const d0 = agent.stats.decisions;
    for (let k = 0; k < 200; k++) {
      hot.source.onMessage(`${tag}/j/j0/s0`, Buffer.from(`{"value":${k % 3},"ts":${Date.now() + k}}`), performance.now());
      await sleep(1);
    }
    await hot.pipeline.flush();
    const alive = agent.stats.decisions > d0;
    if (!alive) crashed('afterwards', new Error('no decision after the fuzz'));
    const s = agent.stats;
    const rejects: Record<string, number> = {};
    for (const [k, v] of Object.entries(decodeReasons)) rejects[`decode:${k}`] = v;
    for (const [k, v] of Object.entries(s.rejected)) if (v > 0) rejects[`window:${k}`] = v;
    for (const [k, v] of Object.entries(s.sparkplug)) if (v > 0) rejects[`sparkplug:${k}`] = v;
    if (s.unmapped > 0) rejects['unmapped'] = s.unmapped;
    const result = {
      bench: 'fuzz',
      cases: o.cases + o.mqtt + 2 * o.cardinality,
      crashes,
      rejects,
      rssMbMax: round(rssMbMax, 1),
      inProcess: { cases: o.cases, byKind, seconds: round(inProcessS, 1) },
      mqtt: { published: o.mqtt - refused, notSent: refused, toSubscribedTopics: expected, received: mqttReceived },
      cardinality: {
        distinct: o.cardinality,
        maxAssets: cfg.assets.maxAssets,
        maxSignals: cfg.assets.maxSignals,
        assetsTracked: hot.pipeline.detectors.size,
        rssMbBefore: round(rssBeforeCardinality, 1),
        rssMbAfter: round(process.memoryUsage().rss / 1048576, 1),
        newAssets: hot.pipeline.detectors.size - assetsBefore,
        signalsOfWideAsset: wide?.window.signals.length ?? 0,
        assetLabelsInMetrics: assetLabels,
        labelSetsInMetrics: labelSets,
        assetLimitRejected: s.rejected.assetLimit,
        signalLimitRejected: s.rejected.signalLimit,
      },
      samplesAccepted: s.samplesIn,
      decisions: s.decisions,
      aliveAfter: alive,
      crashSamples,
      internalSamples,
      seed: o.seed,
      ...machine(),
    };
    say(
      `fuzz: ${result.cases} cases, ${crashes} crashes, RSS max ${result.rssMbMax} MB, ${result.cardinality.assetsTracked} assets tracked (max ${cfg.assets.maxAssets}), ${assetLabels} asset label sets`,
    );
    if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else console.log(JSON.stringify(result, null, 2));
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

benchMain(main);
