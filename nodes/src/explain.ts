import { factsFromAlert } from '../../agent/alerts/payload.js';
import { alertSchema } from '../../agent/alerts/schema.js';
import { explainSection } from '../../agent/config/sections/explain.js';
import { DigestCollector, digestMessage } from '../../agent/explain/digest.js';
import { EdgeError } from '../../agent/errors.js';
import { configOf } from './config-node.js';
import type { Done, NodeAdapter, NodeMessage, RedApi, RedNode, Send } from './red.js';
import { StatusThrottle } from './status.js';

export interface ExplainFields {
  sentinel?: string;
  /** Per-alert wait for the language model, ms; empty = the config node's budget. */
  budgetMs?: string | number;
  /** Most alerts explained at once; further ones get the template sentence at once (counted). */
  maxPending?: string | number;
}

/**
 * sentinel-explain: writes the alert's summary with the config node's
 * explainer (the local language model in its worker thread, verified
 * against the facts; the template when the model is off, late or wrong).
 * Never blocks the flow: each alert is answered when its summary is ready,
 * at the latest after the budget; other messages keep flowing meanwhile.
 */
export async function createExplainNode(RED: RedApi, node: RedNode, fields: ExplainFields): Promise<NodeAdapter> {
  const { shared, config } = await configOf(RED, fields.sentinel);
  const budgetRaw = fields.budgetMs === undefined || fields.budgetMs === '' ? config.explain.budgetMs : Number(fields.budgetMs);
  // The same bound the config schema puts on explain.budgetMs.
  const budget = explainSection.shape.budgetMs.safeParse(budgetRaw);
  if (!budget.success)
    throw new EdgeError(
      'E_CONFIG',
      `sentinel-explain: budget must be an integer from 1 to 60000 ms (got ${JSON.stringify(fields.budgetMs)})`,
    );
  const maxPending = fields.maxPending === undefined || fields.maxPending === '' ? 32 : Number(fields.maxPending);
  if (!Number.isInteger(maxPending) || maxPending < 1)
    throw new EdgeError('E_CONFIG', `sentinel-explain: max pending must be an integer ≥ 1 (got ${JSON.stringify(fields.maxPending)})`);
  shared.acquire(node.id);
  const inflight = new Set<Promise<void>>();
  const counts = { lm: 0, template: 0, shed: 0 };
  const status = new StatusThrottle(node, 500, shared.health);
  let lastDigest = '';
  const show = (): void =>
    status.set({
      fill: inflight.size ? 'blue' : 'green',
      shape: inflight.size ? 'ring' : 'dot',
      text: `${lastDigest ? `${lastDigest} · ` : ''}${counts.lm} lm · ${counts.template} tpl · ${counts.shed} shed${inflight.size ? ` · ${inflight.size} pending` : ''}`,
    });
  show();
  // Alert storms: one digest message (topic "digest") over the alerts opened within explain.digest.windowS.
  const digests = new DigestCollector(config.explain.digest.windowS, config.explain.digest.minAssets, (d) => {
    const payload = digestMessage(d, config.agent.site, config.agent.id ?? 'node-red');
    lastDigest = `digest: ${d.assets.length} assets`;
    node.send({ topic: 'digest', payload, summary: d.text });
    show();
  });

  return {
    input(msg: NodeMessage, send: Send, done: Done) {
      const parsed = alertSchema.safeParse(msg.payload);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        done(
          new EdgeError(
            'E_DECODE',
            `msg.payload is not a v1 alert (${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}): wire this node after a sentinel-alert node`,
          ),
        );
        return;
      }
      const alert = parsed.data;
      const facts = factsFromAlert(alert, config);
      digests.add(facts);
      // Over the bound: shed to the template now rather than queue without limit (cold path sheds first).
      const shed = inflight.size >= maxPending;
      const job = (
        shed
          ? Promise.resolve({ text: alert.summary.text, source: alert.summary.source, model: alert.summary.model })
          : shared.explainer.explain(facts, budget.data)
      ).then((summary) => {
        if (shed) counts.shed++;
        else if (summary.source === 'lm') counts.lm++;
        else counts.template++;
        send({ ...msg, payload: { ...alert, summary }, summary: summary.text });
        done();
      });
      const p = job
        .catch((err: unknown) => done(err as Error))
        .finally(() => {
          inflight.delete(p);
          show();
        });
      inflight.add(p);
      show();
    },
    async close() {
      // Pending summaries end within the budget (the explainer guarantees it); wait so none is sent after close.
      await Promise.allSettled([...inflight]);
      digests.stop();
      status.stop();
      shared.release(node.id);
    },
  };
}
