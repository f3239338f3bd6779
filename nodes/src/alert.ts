import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createStandaloneAlerting } from '../../agent/alerts/index.js';
import { EdgeError } from '../../agent/errors.js';
import { EventBus } from '../../agent/events.js';
import { createExplainer } from '../../agent/explain/explainer.js';
import type { Decision } from '../../agent/types.js';
import { VERSION } from '../../agent/version.js';
import { hostname } from 'node:os';
import { configOf } from './config-node.js';
import { live } from './shared.js';
import { StatusThrottle } from './status.js';
import type { Done, NodeAdapter, NodeMessage, RedApi, RedNode, Send } from './red.js';

export interface AlertFields {
  sentinel?: string;
  /** "template": alerts leave at once with the template sentence (add a sentinel-explain node for the LM); "config": wait for the config node's explainer, up to its budget. */
  summary?: 'template' | 'config';
}

/** Checks the fields the lifecycle reads; a decision from a score node always passes. */
export function asDecision(p: unknown): Decision {
  const d = p as Partial<Decision> | null;
  if (
    !d ||
    typeof d !== 'object' ||
    typeof d.asset !== 'string' ||
    !d.asset ||
    typeof d.score !== 'number' ||
    typeof d.threshold !== 'number' ||
    typeof d.anomalous !== 'boolean' ||
    (d.phase !== 'learning' && d.phase !== 'detecting') ||
    typeof d.ts !== 'number'
  ) {
    throw new EdgeError(
      'E_DECODE',
      'msg.payload is not a decision: wire this node to output 1 of a sentinel-score node (every decision, so alerts can also resolve)',
    );
  }
  return d as Decision;
}

/**
 * sentinel-alert: the agent's AlertManager (hysteresis, severity, update rate
 * limit, cooldown, state in SQLite surviving restarts) fed with decisions
 * from msg.payload. Each node keeps its state in
 * <config state dir>/alerts/<node id>. Sends one message per open, update
 * and resolution, msg.payload being the v1 alert.
 */
export async function createAlertNode(RED: RedApi, node: RedNode, fields: AlertFields): Promise<NodeAdapter> {
  const { shared, config } = await configOf(RED, fields.sentinel);
  const log = shared.log.child({ module: 'alert', node: node.id });
  const stateDir = join(config.agent.stateDir, 'alerts', node.id.replace(/[^A-Za-z0-9_.-]/g, '_'));
  mkdirSync(stateDir, { recursive: true });
  const bus = new EventBus(log);
  const explainer = fields.summary === 'config' ? shared.explainer : createExplainer({ ...config.explain, mode: 'template' }, log);
  const agentId = config.agent.id ?? hostname().replace(/[^A-Za-z0-9_.-]/g, '-');
  const manager = createStandaloneAlerting(config, { log, bus, explainer, stateDir, agentId, version: VERSION });
  shared.acquire(node.id);
  try {
    await manager.start();
  } catch (err) {
    shared.release(node.id);
    throw err;
  }
  live.alertManagers++;
  const status = new StatusThrottle(node, 0, shared.health);
  const showStatus = (): void => {
    const s = manager.stats();
    status.set(
      s.open > 0
        ? { fill: 'red', shape: 'dot', text: `alerting: ${s.open} open` }
        : { fill: 'green', shape: 'ring', text: `no open alert · ${s.opened} so far` },
    );
  };
  showStatus();
  bus.on('alert', (a) => {
    node.send({ topic: `${config.agent.site}/${a.asset}/alert`, asset: a.asset, state: a.state, payload: a.payload });
    showStatus();
  });

  return {
    input(msg: NodeMessage, _send: Send, done: Done) {
      let d: Decision;
      try {
        d = asDecision(msg.payload);
      } catch (err) {
        done(err as Error);
        return;
      }
      // The lifecycle runs synchronously in the listener; the alert (if any) is sent once committed.
      bus.emit('decision', d);
      done();
    },
    async close() {
      status.stop();
      try {
        await manager.stop();
        bus.removeAll();
      } finally {
        live.alertManagers--;
        shared.release(node.id);
      }
    },
  };
}
