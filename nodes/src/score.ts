import { EventBus } from '../../agent/events.js';
import { parseTopicPattern, type TopicPattern } from '../../agent/ingest/topics.js';
import { bridgeBusHealth } from '../../agent/observe/hotpath-health.js';
import { AgentStats } from '../../agent/observe/stats.js';
import { Pipeline } from '../../agent/pipeline.js';
import type { Decision } from '../../agent/types.js';
import { configOf } from './config-node.js';
import { live } from './shared.js';
import type { Done, NodeAdapter, NodeMessage, RedApi, RedNode, Send } from './red.js';
import { rejectedSnapshot, rejectionMessage } from './reject.js';
import { samplesOf } from './samples.js';
import { StatusThrottle } from './status.js';

export interface ScoreFields {
  sentinel?: string;
  /** e.g. plant/{asset}/{signal}; empty = asset from msg.asset or the whole topic. */
  topicPattern?: string;
}

/** One input message waiting for the decision of the scan its values joined. */
interface Waiting {
  msg: NodeMessage;
  send: Send;
  done: Done;
  /** The asset scan its values joined (0 until one was accepted). */
  scan: number;
}

/**
 * sentinel-score: feeds msg.payload into the agent's Pipeline (scan
 * assembly, learning, model batch, deadline watchdog, fallback — all of it
 * the daemon's code) and sends one decision per asset scan on output 1 and,
 * when anomalous, also on output 2. An object payload is one scan of its
 * asset; single-value messages of an asset make up a scan as in the agent
 * (docs/architecture.md, "Scans"): the decision goes out with the scan's last
 * message, the scan's other messages complete without output. Decisions are
 * asynchronous (scans of one I/O turn share one ONNX call), so messages wait
 * in a per-asset FIFO until their scan is decided.
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
  let current: { asset: string; w: Waiting } | null = null;
  const status = new StatusThrottle(node, 500, shared.health);
  /** Topics already warned about as not matching the pattern (bounded: a wildcard subscription can carry many). */
  const unmatched = new Set<string>();
  /** The rejection counters before the current message (reused: no allocation per message). */
  const before = rejectedSnapshot(stats.rejected);

  // Bus listeners run synchronously inside ingest(): 'sample' for every accepted value, 'decision' for learning scans.
  bus.on('sample', (x) => {
    if (current && current.asset === x.asset) current.w.scan = pipeline.joinedScan(x.asset);
  });
  bus.on('decision', (d) => {
    const q = waiting.get(d.asset);
    const n = d.scan ?? 0;
    if (!q || q.length === 0) return;
    // Messages of this scan (and of none later) complete; the last of them carries the decision. A detector
    // that was rebuilt (a failed fit relearns) numbers its scans from 1 again: everything older completes.
    let last = -1;
    for (let i = 0; i < q.length && q[i]!.scan > 0 && (q[i]!.scan <= n || q[i]!.scan > n + 1); i++) last = i;
    if (last < 0) return;
    const done = q.splice(0, last + 1);
    if (q.length === 0) waiting.delete(d.asset);
    const out: NodeMessage = { ...done[last]!.msg, payload: d, asset: d.asset };
    for (let i = 0; i < last; i++) done[i]!.done();
    done[last]!.send(d.anomalous ? [out, { ...out }] : [out, null]);
    done[last]!.done();
    status.set(
      d.anomalous
        ? { fill: 'red', shape: 'dot', text: `anomaly: ${d.asset} (${d.diagnosis?.pattern ?? 'unknown'})` }
        : phaseStatus(pipeline, d),
    );
  });
  // Deadline misses of this node's pipeline count toward the config node's hot-path health (one condition per node).
  bridgeBusHealth(bus, shared.health, `@${node.id}`);

  // Ready before the first message: the node is not "loading" any more, it waits for samples.
  status.initial({ fill: 'grey', shape: 'ring', text: 'ready: waiting for samples' });

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
      if ('unmatched' in s) {
        if (unmatched.size < 100 && !unmatched.has(s.unmatched)) {
          unmatched.add(s.unmatched);
          node.warn(
            `topic "${s.unmatched}" does not match the topic pattern ${fields.topicPattern ?? ''}: its messages are not scored (set msg.asset, or change the pattern)`,
          );
        }
        done();
        return;
      }
      const w: Waiting = { msg, send, done, scan: 0 };
      const q = waiting.get(s.asset) ?? [];
      q.push(w);
      waiting.set(s.asset, q);
      current = { asset: s.asset, w };
      Object.assign(before, stats.rejected);
      for (const x of s.samples) pipeline.ingest(s.asset, x.signal, x.value, s.ts, arrivedAt);
      // An object payload is one scan of its asset, as a multi-signal MQTT message is in the agent.
      if (s.framed && w.scan > 0) pipeline.endScan(s.asset, arrivedAt);
      current = null;
      if (w.scan === 0) {
        const i = q.indexOf(w);
        if (i >= 0) q.splice(i, 1);
        if (q.length === 0) waiting.delete(s.asset);
        done(
          new Error(
            rejectionMessage(
              s.asset,
              s.samples.map((x) => x.signal),
              before,
              stats.rejected,
            ),
          ),
        );
      }
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
