import type { Logger } from 'pino';
import type { Config } from '../../agent/config/schema.js';
import { builtinCardPath } from '../../agent/detect/card.js';
import { ModelRunner, type BatchResult, type BatchRow } from '../../agent/detect/model.js';
import { BaselineStore } from '../../agent/detect/store.js';
import { errMessage } from '../../agent/errors.js';
import { createExplainer, type Explainer } from '../../agent/explain/explainer.js';
import { HealthRegistry } from '../../agent/observe/health.js';

/**
 * Live counts of the native and threaded resources the nodes hold, so a test
 * (and a curious user, via the config node's log) can prove a redeploy
 * released them. Incremented after a successful start, decremented after stop.
 */
export const live = { modelSessions: 0, explainers: 0, pipelines: 0, alertManagers: 0 };

/**
 * One ONNX Runtime session shared by every score node of a config node.
 * ModelRunner reuses scratch buffers across calls, so two pipelines must not
 * run a batch at the same time: calls are chained (each pipeline already has
 * at most one batch in flight, so this only orders pipelines, never queues
 * behind more than one batch per pipeline).
 */
export class SerialModelRunner extends ModelRunner {
  private chain: Promise<unknown> = Promise.resolve();

  override score(rows: BatchRow[]): Promise<BatchResult> {
    const run = this.chain.then(() => super.score(rows));
    // The chain only orders calls; each caller sees its own result or error.
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/**
 * The resources a sentinel-config node owns for the nodes that use it: the
 * detector session, the baselines on disk and the explain worker. Users
 * register; stop() waits until every user has released (Node-RED calls the
 * config node's close handler in the same pass as its users', see
 * node-red/node-red#3992), then stops in mirror order of start().
 */
export class SentinelShared {
  readonly runner: SerialModelRunner;
  readonly store: BaselineStore;
  readonly explainer: Explainer;
  /** The config node's component health (hot path, explain, alert store): its nodes show it in their status. */
  readonly health: HealthRegistry;
  private readonly users = new Set<string>();
  private drained: (() => void) | null = null;
  private started = false;

  constructor(
    readonly config: Config,
    readonly log: Logger,
  ) {
    const cardPath = config.assets.defaults.modelCard ?? builtinCardPath();
    this.runner = new SerialModelRunner(cardPath, config.detect, log.child({ module: 'model' }));
    this.health = new HealthRegistry(log.child({ module: 'health' }));
    this.store = new BaselineStore(config.agent.stateDir, log.child({ module: 'baselines' }), {
      health: this.health,
      retryMs: config.agent.storageRetryS * 1000,
    });
    this.explainer = createExplainer(config.explain, log, {
      onWorkerState: (ok, message) =>
        ok
          ? this.health.clear('explain', 'worker', message)
          : this.health.set('explain', 'worker', 'degraded', 'explain_worker_down', message),
    });
  }

  async start(): Promise<void> {
    this.store.start();
    await this.runner.start();
    live.modelSessions++;
    this.health.register('hotpath');
    this.health.register('explain');
    try {
      await this.explainer.start();
    } catch (err) {
      // A missing or corrupt language model must not take detection down: alerts keep template summaries
      // (the registry logs this once, as a warning on the config node).
      this.health.set('explain', 'model', 'degraded', 'explain_model_unavailable', `${errMessage(err)}; summaries use templates`);
    }
    live.explainers++;
    this.started = true;
  }

  /** A node starts using the resources. */
  acquire(userId: string): void {
    this.users.add(userId);
  }

  /** A node has stopped using the resources (its own close finished). */
  release(userId: string): void {
    this.users.delete(userId);
    if (this.users.size === 0 && this.drained) this.drained();
  }

  get userCount(): number {
    return this.users.size;
  }

  /** Waits for users to release (at most `waitMs`), then releases the session, the worker and pending baseline writes. */
  async stop(waitMs = 10_000): Promise<void> {
    if (this.users.size > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.log.warn({ users: [...this.users] }, 'nodes still hold the sentinel after the wait; stopping anyway');
          resolve();
        }, waitMs);
        this.drained = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    if (!this.started) return;
    this.started = false;
    this.health.stop();
    await this.explainer.stop();
    live.explainers--;
    await this.store.close();
    await this.runner.stop();
    live.modelSessions--;
  }
}
