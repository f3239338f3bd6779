import { SparkplugDecoder } from '../../agent/ingest/decoders/sparkplug.js';
import { nodeLogger } from './log.js';
import type { Done, NodeAdapter, NodeMessage, RedNode, Send } from './red.js';

/**
 * sentinel-sparkplug-in: decodes Sparkplug B messages (from an `mqtt in`
 * node subscribed to spBv1.0/# with output "a Buffer") with the agent's own
 * decoder — BIRTH alias tables, seq tracking, DATA by alias, births required,
 * control and property metrics left out — and sends one message per asset:
 * msg.asset = device id (or edge node id; msg.sparkplugTopic says which node), msg.payload =
 * { metric: value, ... }, msg.timestamp = the newest metric time. That is
 * the shape sentinel-score reads. Needs no config node (no shared resource).
 */
export function createSparkplugNode(node: RedNode): NodeAdapter {
  // No plant broker here to ask for rebirths (the mqtt in node owns the connection): counted and shown instead.
  const decoder = new SparkplugDecoder(
    { assetNaming: 'device', rebirth: { enabled: false, minIntervalS: 10 } },
    { log: nodeLogger(node), counts: {}, rateLimitMs: 10_000 },
  );
  const show = (): void => {
    const s = decoder.counts;
    const n = (k: string): number => s[k] ?? 0;
    const trouble = n('seq_gap') + n('unknown_alias') + n('no_birth');
    node.status({
      fill: trouble ? 'yellow' : 'green',
      shape: 'dot',
      text: `births ${n('node_birth') + n('device_birth')} · deaths ${n('node_death') + n('device_death')} · seq gaps ${n('seq_gap')} · unknown aliases ${n('unknown_alias')} · before birth ${n('no_birth')}`,
    });
  };
  // Ready before the first message (the shim shows "loading" until here).
  show();
  return {
    input(msg: NodeMessage, send: Send, done: Done) {
      const p = msg.payload;
      if (!Buffer.isBuffer(p) && !(p instanceof Uint8Array)) {
        done(new Error(`msg.payload must be a Buffer (set the mqtt in node's output to "a Buffer"), got ${typeof p}`));
        return;
      }
      const byAsset = new Map<string, { values: Record<string, number>; ts: number }>();
      try {
        decoder.decode(
          Buffer.from(p),
          { topic: String(msg.topic ?? ''), asset: undefined, signal: undefined, arrivalMs: Date.now() },
          {
            sample(asset, signal, value, ts) {
              const a = byAsset.get(asset) ?? { values: {}, ts: 0 };
              a.values[signal] = value;
              if (ts > a.ts) a.ts = ts;
              byAsset.set(asset, a);
            },
            // Each asset's values leave as one message with an object payload: one scan for sentinel-score.
            endScan() {},
          },
        );
      } catch (err) {
        show();
        done(err as Error);
        return;
      }
      for (const [asset, a] of byAsset)
        send({ ...msg, topic: asset, asset, payload: a.values, timestamp: a.ts, sparkplugTopic: msg.topic });
      show();
      done();
    },
    async close() {
      // Alias tables live only as long as the node; a redeploy waits for the next BIRTH, as a new host would.
    },
  };
}
