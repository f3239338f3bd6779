import { SparkplugDecoder } from '../../agent/ingest/decoders/sparkplug.js';
import type { Done, NodeAdapter, NodeMessage, RedNode, Send } from './red.js';

/**
 * sentinel-sparkplug-in: decodes Sparkplug B messages (from an `mqtt in`
 * node subscribed to spBv1.0/# with output "a Buffer") with the agent's own
 * decoder — BIRTH alias tables, seq tracking, DATA by alias — and sends one
 * message per asset: msg.asset = device id (or edge node id), msg.payload =
 * { metric: value, ... }, msg.timestamp = the newest metric time. That is
 * the shape sentinel-score reads. Needs no config node (no shared resource).
 */
export function createSparkplugNode(node: RedNode): NodeAdapter {
  const decoder = new SparkplugDecoder();
  const show = (): void => {
    const s = decoder.stats;
    node.status({
      fill: s.seqGaps || s.unknownAlias ? 'yellow' : 'green',
      shape: 'dot',
      text: `births ${s.births} · deaths ${s.deaths} · seq gaps ${s.seqGaps} · unknown aliases ${s.unknownAlias}`,
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
