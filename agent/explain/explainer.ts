/**
 * The seam the alert pipeline calls: explain(facts) resolves within the
 * budget with a verified LM summary or the template, and never rejects.
 * The model runs in a worker thread, so the hot path never waits on it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ExplainConfig } from '../config/sections/explain.js';
import { EdgeError, errMessage } from '../errors.js';
import type { AlertFacts } from '../types.js';
import type { ToMain, ToWorker, WorkerInit } from './protocol.js';
import { nowMs } from './runner.js';
import { builtinPlaybookPath, checksFor, loadPlaybook, templateCheck, type Playbook } from './playbook.js';
import { templateSummary } from './template.js';
import { workerEntry } from '../workers.js';

/** What an alert carries as its summary; check is the playbook's "what to check" sentence when one applies. */
export interface Summary {
  text: string;
  source: 'lm' | 'template';
  model: string;
  check?: { text: string; items: string[] } | undefined;
}

export interface ExplainerStats {
  lm: number;
  template: number;
  timeouts: number;
  verifyFailures: number;
  errors: number;
  /** Times a lost worker was started again. */
  restarts: number;
}

export interface Explainer {
  /** Loads the model in the worker; rejects with EdgeError E_LM on a missing/corrupt model. */
  start(): Promise<void>;
  /** Never rejects; resolves within budgetMs (template on timeout or failure). */
  explain(facts: AlertFacts, budgetMs?: number): Promise<Summary>;
  /** Terminates the worker and releases the session. */
  stop(): Promise<void>;
  stats(): ExplainerStats;
}

/** Extra knobs that are not user config: test hooks and context from other stages. */
export interface ExplainerOptions {
  /** Signal names configured anywhere in the plant; the verifier rejects any that is not in an alert's facts. */
  knownSignals?: string[];
  /** First wait before a lost worker is started again (doubles on each failure, at most 5 min). Default 5 s. */
  restartDelayMs?: number;
  /** Told when a running worker is lost (ok=false, templates meanwhile) and when a restart brought it back (ok=true). */
  onWorkerState?: (ok: boolean, message: string) => void;
  /** Test hooks, passed to the worker. */
  delayMsPerToken?: number;
  fault?: WorkerInit['fault'];
}

/** Model id recorded on template summaries. */
export const TEMPLATE_MODEL = 'template-v1';

/** The built-in model folder, from TS sources (agent/explain) or compiled JS (dist/agent/explain). */
export function builtinModelDir(): string {
  for (const rel of ['../../models/lm/explain-lm', '../../../models/lm/explain-lm']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}/config.json`)) return dir;
  }
  return fileURLToPath(new URL('../../models/lm/explain-lm', import.meta.url));
}

class TemplateExplainer implements Explainer {
  protected readonly counters: ExplainerStats = { lm: 0, template: 0, timeouts: 0, verifyFailures: 0, errors: 0, restarts: 0 };
  constructor(protected readonly playbook: Playbook | undefined) {}
  protected checks(facts: AlertFacts): string[] {
    return this.playbook && !facts.stale && facts.state !== 'resolved' ? checksFor(this.playbook, facts) : [];
  }
  protected withCheck(s: Summary, facts: AlertFacts, text?: string | null): Summary {
    const items = this.checks(facts);
    return items.length ? { ...s, check: { text: text ?? templateCheck(items), items } } : s;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  stats(): ExplainerStats {
    return { ...this.counters };
  }
  protected template(facts: AlertFacts): Summary {
    this.counters.template++;
    return this.withCheck({ text: templateSummary(facts), source: 'template', model: TEMPLATE_MODEL }, facts);
  }
  async explain(facts: AlertFacts): Promise<Summary> {
    return this.template(facts);
  }
}

interface Pending {
  facts: AlertFacts;
  resolve: (s: Summary) => void;
  timer: NodeJS.Timeout;
}

class LmExplainer extends TemplateExplainer {
  private worker: Worker | undefined;
  private modelId = '';
  private ready = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly log: Logger;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelay: number;

  constructor(
    private readonly cfg: ExplainConfig,
    log: Logger,
    private readonly opts: ExplainerOptions,
    playbook: Playbook | undefined,
  ) {
    super(playbook);
    this.log = log.child({ module: 'explain' });
    this.restartDelay = opts.restartDelayMs ?? 5000;
  }

  override async start(): Promise<void> {
    this.stopping = false;
    await this.spawn();
  }

  /** Starts the worker and waits for its model to load; rejects with E_LM on a load failure. */
  private async spawn(): Promise<void> {
    const dir = this.cfg.modelDir || builtinModelDir();
    const entry = workerEntry(import.meta.url, 'worker');
    const init: WorkerInit = { dir, threads: this.cfg.threads, delayMsPerToken: this.opts.delayMsPerToken, fault: this.opts.fault };
    const w = new Worker(entry.entry, { workerData: init, eval: entry.eval });
    this.worker = w;
    await new Promise<void>((resolve, reject) => {
      // Start-up listeners are removed once settled, so they never act on a later crash.
      const done = (err?: string): void => {
        w.off('error', onError).off('exit', onExit).off('message', onMessage);
        if (err === undefined) return resolve();
        void w.terminate();
        this.worker = undefined;
        reject(new EdgeError('E_LM', err));
      };
      const onError = (err: Error): void => done(`explain worker failed to start: ${errMessage(err)}`);
      const onExit = (code: number): void => done(`explain worker exited with code ${code} while loading ${dir}`);
      const onMessage = (m: ToMain): void => {
        if (m.type !== 'ready') return done(m.type === 'load-error' ? m.message : `explain worker sent ${m.type} before ready`);
        this.modelId = m.info.id;
        this.ready = true;
        this.log.info({ model: m.info.id, dir, layers: m.info.layers }, 'explain model loaded');
        done();
      };
      w.on('error', onError).on('exit', onExit).on('message', onMessage);
    });
    w.on('message', (m: ToMain) => this.onMessage(m));
    // Only the current worker's death counts: a restarted worker must not be torn down by its predecessor's events.
    w.on('error', (err) => {
      if (this.worker === w) this.onDead(`explain worker error: ${errMessage(err)}`);
    });
    w.on('exit', (code) => {
      if (this.worker === w) this.onDead(`explain worker exited with code ${code}`);
    });
  }

  override async explain(facts: AlertFacts, budgetMs = this.cfg.budgetMs): Promise<Summary> {
    try {
      if (!this.ready || !this.worker) return this.template(facts);
      const id = this.nextId++;
      const msg: ToWorker = {
        type: 'explain',
        id,
        facts,
        checks: this.checks(facts),
        options: {
          maxTokens: this.cfg.maxTokens,
          topK: this.cfg.topK,
          temperature: this.cfg.temperature,
          seed: this.cfg.seed,
          retry: this.cfg.retry,
          deadline: nowMs() + budgetMs,
          promptTemplate: this.cfg.promptTemplate,
          stop: this.cfg.stop,
          knownSignals: this.opts.knownSignals,
        },
      };
      return await new Promise<Summary>((resolve) => {
        // The hard guarantee: whatever the worker does, the alert leaves at the budget.
        const timer = setTimeout(() => {
          this.pending.delete(id);
          this.counters.timeouts++;
          resolve(this.template(facts));
        }, budgetMs);
        timer.unref();
        this.pending.set(id, { facts, resolve, timer });
        try {
          this.worker?.postMessage(msg);
        } catch (err) {
          // e.g. facts that cannot be cloned: answer now, once, and count it.
          clearTimeout(timer);
          this.pending.delete(id);
          this.counters.errors++;
          this.log.error({ err }, 'explain job could not be sent; using template');
          resolve(this.template(facts));
        }
      });
    } catch (err) {
      this.counters.errors++;
      this.log.error({ err }, 'explain failed; using template');
      return this.template(facts);
    }
  }

  private onMessage(m: ToMain): void {
    if (m.type === 'fatal') {
      this.counters.errors++;
      this.log.error({ message: m.message }, 'explain worker job chain failed');
      return;
    }
    if (m.type !== 'result') return;
    this.counters.verifyFailures += m.tries.filter((t) => !t.ok).length;
    const p = this.pending.get(m.id);
    if (!p) return; // already answered by the budget timer
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.error) {
      this.counters.errors++;
      this.log.warn({ error: m.error }, 'explain job failed; using template');
    }
    if (m.text !== null) {
      this.counters.lm++;
      p.resolve(this.withCheck({ text: m.text, source: 'lm', model: this.modelId }, p.facts, m.check));
    } else {
      if (!m.error && m.tries.length) this.log.debug({ problems: m.tries.map((t) => t.problems) }, 'summary rejected by verifier');
      p.resolve(this.template(p.facts));
    }
  }

  /** The worker is gone: answer everything pending with templates and keep alerting on templates. */
  private onDead(reason: string): void {
    this.counters.errors++;
    this.log.error({ reason }, 'explain worker lost; summaries fall back to templates');
    this.opts.onWorkerState?.(false, `${reason}; summaries use templates while it restarts`);
    this.ready = false;
    this.worker = undefined;
    this.flushPending();
    this.scheduleRestart();
  }

  /** Brings a lost worker back after a delay that doubles on each failed attempt (templates meanwhile). */
  private scheduleRestart(): void {
    if (this.stopping || this.restartTimer) return;
    const delay = this.restartDelay;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.spawn().then(
        () => {
          this.counters.restarts++;
          this.restartDelay = this.opts.restartDelayMs ?? 5000;
          this.log.warn({ restarts: this.counters.restarts }, 'explain worker restarted; summaries from the model again');
          this.opts.onWorkerState?.(true, `explain worker restarted (${this.counters.restarts} restarts so far)`);
        },
        (err: unknown) => {
          this.restartDelay = Math.min(delay * 2, 300_000);
          this.log.error({ err: errMessage(err), retryInMs: this.restartDelay }, 'explain worker restart failed');
          this.opts.onWorkerState?.(false, `explain worker restart failed (${errMessage(err)}); next try in ${this.restartDelay} ms`);
          this.scheduleRestart();
        },
      );
    }, delay);
    this.restartTimer.unref();
  }

  private flushPending(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve(this.template(p.facts));
    }
  }

  override async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const w = this.worker;
    this.worker = undefined;
    this.ready = false;
    this.flushPending();
    if (!w) return;
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    w.postMessage({ type: 'close' } satisfies ToWorker);
    // A graceful close releases the ORT session; a wedged worker is terminated after 2 s.
    const t = setTimeout(() => void w.terminate(), 2000);
    t.unref();
    await exited;
    clearTimeout(t);
  }
}

/** Build the explainer the config asks for ('template' mode → template-only). */
export function createExplainer(cfg: ExplainConfig, log: Logger, opts: ExplainerOptions = {}): Explainer {
  // The playbook is read once here: a bad site file fails start-up (E_CONFIG), never an alert.
  let playbook: Playbook | undefined;
  if (cfg.playbook && cfg.playbook !== 'off') playbook = loadPlaybook(cfg.playbook);
  else if (!cfg.playbook && existsSync(builtinPlaybookPath())) playbook = loadPlaybook();
  else if (!cfg.playbook) log.warn({ path: builtinPlaybookPath() }, 'built-in playbook not found; alerts carry no check sentence');
  return cfg.mode === 'lm' ? new LmExplainer(cfg, log, opts, playbook) : new TemplateExplainer(playbook);
}
