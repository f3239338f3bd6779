import { EventBus } from '../../agent/events.js';
import { parseTopicPattern, type TopicPattern } from '../../agent/ingest/topics.js';
import { bridgeBusHealth } from '../../agent/observe/hotpath-health.js';
import { AgentStats } from '../../agent/observe/stats.js';
import { Pipeline } from '../../agent/pipeline.js';
import type { Decision } from '../../agent/types.js';
import { configOf } from './config-node.js';
import { live } from './shared.js';
import type { Done, NodeAdapter, NodeMessage, RedApi, RedNode, Send } from './red.js';
import { samplesOf } from './samples.js';
import { StatusThrottle } from './status.js';

export interface ScoreFields {
  sentinel?: string;
  /** e.g. plant/{asset}/{signal}; empty = asset from msg.asset or the whole topic. */
  topicPattern?: string;
}

/** One input message waiting for the decisions of its accepted samples. */
interface Waiting {
  msg: NodeMessage;
  send: Send;
  done: Done;
  ts: number;
  accepted: number;
  decided: number;
  sealed: boolean;
  last: Decision | null;
}

/**
 * sentinel-score: feeds msg.payload into the agent's Pipeline (learning,
 * model batch, deadline watchdog, fallback — all of it the daemon's code)
 * and sends, per input message, its decision on output 1 and, when
 * anomalous, also on output 2. The pipeline decides asynchronously (samples
 * of one I/O turn share one ONNX call), so each message waits in a per-asset
 * FIFO until the decisions of all its accepted samples are in.
 */
export async function createScoreNode(RED: RedApi, node: RedNode, fields: ScoreFields): Promise<NodeAdapter> {
  const pattern: TopicPattern | undefined = fields.topicPattern?.trim() ? parseTopicPattern(fields.topicPattern.trim()) : undefined;
  const cfg = await configOf(RED, fields.sentinel);
  const { shared, config } = cfg;
  const log = shared.log.child({ module: 'score', node: node.id });
  const bus = new EventBus(log);
  const stats = new AgentStats();
  const pipeline = new Pipeline(config, shared.runner, shared.store, bus, stats, log);
  shared.acquire(node.id);
  live.pipelines++;
  const waiting = new Map<string, Waiting[]>();
  let current: Waiting | null = null;
  const status = new StatusThrottle(node, 500, shared.health);

  const finish = (asset: string, w: Waiting): void => {
    const q = waiting.get(asset);
    if (q) {
      const i = q.indexOf(w);
      if (i >= 0) q.splice(i, 1);
      if (q.length === 0) waiting.delete(asset);
    }
    const d = w.last!;
    const out: NodeMessage = { ...w.msg, payload: d, asset };
    w.send(d.anomalous ? [out, { ...out }] : [out, null]);
    w.done();
    status.set(
      d.anomalous
        ? { fill: 'red', shape: 'dot', text: `anomaly: ${asset} (${d.diagnosis?.pattern ?? 'unknown'})` }
        : phaseStatus(pipeline, d),
    );
  };

  // Bus listeners run synchronously inside ingest() for accepted samples and learning decisions.
  bus.on('sample', () => {
    if (current) current.accepted++;
  });
  bus.on('decision', (d) => {
    const q = waiting.get(d.asset);
    if (!q || q.length === 0) return;
    // The oldest unfinished message of the asset with this sample time, else the oldest.
    const w = q.find((x) => x.ts === d.ts && (!x.sealed || x.decided < x.accepted)) ?? q[0]!;
    w.decided++;
    w.last = d;
    if (w.sealed && w.decided >= w.accepted) finish(d.asset, w);
  });
  // Deadline misses of this node's pipeline count toward the config node's hot-path health (one condition per node).
  bridgeBusHealth(bus, shared.health, `@${node.id}`);

  return {
    input(msg: NodeMessage, send: Send, done: Done) {
      const arrivedAt = performance.now();
      let s;
      try {
        // Arrival time with sub-millisecond resolution: two values of one signal arriving in the same
        // millisecond (a burst read from one socket) are distinct samples, not duplicates.
        s = samplesOf(msg, pattern, performance.timeOrigin + arrivedAt);
      } catch (err) {
        done(err as Error);
        return;
      }
      const w: Waiting = { msg, send, done, ts: s.ts, accepted: 0, decided: 0, sealed: false, last: null };
      const q = waiting.get(s.asset) ?? [];
      q.push(w);
      waiting.set(s.asset, q);
      current = w;
      for (const x of s.samples) pipeline.ingest(s.asset, x.signal, x.value, s.ts, arrivedAt);
      current = null;
      w.sealed = true;
      if (w.accepted === 0) {
        q.splice(q.indexOf(w), 1);
        if (q.length === 0) waiting.delete(s.asset);
        const r = stats.rejected;
        done(
          new Error(
            `no sample of asset "${s.asset}" was accepted (rejected so far: non-finite ${r.nonFinite}, late ${r.late}, duplicate ${r.duplicate}, over the asset limit ${r.unknownSignal})`,
          ),
        );
      } else if (w.decided >= w.accepted) finish(s.asset, w);
    },
    async close() {
      status.stop();
      shared.health.clear('hotpath', `deadline@${node.id}`, 'score node closed');
      try {
        await pipeline.stop();
        // Messages still waiting will never get a decision: complete them so Node-RED does not track them forever.
        for (const q of waiting.values()) for (const w of q) w.done();
        waiting.clear();
        bus.removeAll();
      } finally {
        live.pipelines--;
        shared.release(node.id);
      }
    },
  };
}

function phaseStatus(p: Pipeline, d: Decision): { fill: 'yellow' | 'green'; shape: 'ring' | 'dot'; text: string } {
  if (d.phase === 'learning') {
    const det = p.detectors.get(d.asset);
    const n = det?.learnedSamples ?? 0;
    return { fill: 'yellow', shape: 'ring', text: `learning ${d.asset} ${n}/${det?.tuning.learnSamples ?? '?'}` };
  }
  const phases = p.phases();
  const learning = phases.filter((x) => x.phase === 'learning').length;
  const lat = (d.latencyUs / 1000).toFixed(2);
  return {
    fill: 'green',
    shape: 'dot',
    text: `detecting ${phases.length - learning}/${phases.length} · ${lat} ms${d.deadlineMissed ? ' missed' : ''}`,
  };
}
