/**
 * Remote management's supervisor: it owns the running Agent and replaces it
 * when a signed bundle is applied.
 *
 *   verify (signature, target) → replay check → validate + stage as version N
 *   → persist (previous kept, trial recorded) → restart the agent → result "applied"
 *   → watch health for fleet.rollbackAfterS → "confirmed", or roll back → "rolled-back"
 *
 * One command at a time, each to its end (confirmed or rolled back), so a
 * rollback always knows what it undoes. A trial found at start-up that was
 * not ended by a clean stop means the agent died trying it: rolled back.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { Agent, agentIdOf, type Extension } from '../controller.js';
import { errMessage } from '../errors.js';
import { defaultExtensions } from '../extensions.js';
import { CommandAudit } from './audit.js';
import { BundleError, verifyBundle, type BundleKind, type VerifiedBundle } from './bundle.js';
import { CommandChannel } from './channel.js';
import { HealthWatch, problemsOf } from './health-watch.js';
import type { CommandResult, ResultReason } from './result.js';
import { effectiveConfig, stageConfig, stageModel } from './stage.js';
import { FleetState } from './state.js';

export interface SupervisorOptions {
  /** Health poll period during a trial, ms (tests shorten it). */
  tickMs?: number;
  extensions?: () => Extension[];
  /** Called with each agent the supervisor starts (systemd STATUS wiring follows the current agent). */
  onAgent?: (agent: Agent) => void;
}

type Outcome = Pick<CommandResult, 'outcome' | 'message'> & Partial<Pick<CommandResult, 'reason' | 'confirmed'>>;

export class FleetSupervisor {
  agent: Agent | null = null;
  readonly agentId: string;
  readonly state: FleetState;
  readonly audit: CommandAudit;
  private channel: CommandChannel | null = null;
  /** Problems the agent had before the version under trial was applied (not blamed on it). */
  private before: ReadonlySet<string> = new Set();
  private stopping = false;
  /** Commands and trials run one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    private readonly local: Config,
    log: Logger,
    private readonly opts: SupervisorOptions = {},
  ) {
    this.log = log.child({ module: 'fleet' });
    this.agentId = agentIdOf(local);
    this.state = new FleetState(local.agent.stateDir);
    this.audit = new CommandAudit(local.agent.stateDir, local.fleet.auditFile, this.log);
  }

  async start(): Promise<void> {
    const doc = this.state.load();
    const trial = doc.trial;
    const pending: Array<[BundleKind, number | null, Outcome]> = [];
    if (trial && !trial.cleanStop) {
      // The process ended during a trial without a clean stop: the version under trial killed it.
      const why = `the agent stopped without a clean shutdown while trying ${trial.kind} v${trial.version}`;
      this.rollbackState(trial.kind);
      pending.push([trial.kind, trial.version, { outcome: 'rolled-back', reason: 'crashed', message: why }]);
    } else if (trial) {
      this.state.update((d) => (d.trial = { ...trial, cleanStop: false }));
    }
    await this.bootAgent(pending);
    await this.refreshChannel();
    for (const [kind, version, o] of pending) this.report(kind, version, o);
    // A clean restart during a trial resumes its watch (a full window again).
    const t = this.state.get().trial;
    if (t) this.enqueue(() => this.finishTrial(t.kind, t.version));
  }

  private enqueue(fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn).catch((err: unknown) => this.log.error({ err: errMessage(err) }, 'fleet command failed'));
  }

  /** (Re)connect the management channel when the config it depends on changed (or at start). */
  private async refreshChannel(): Promise<void> {
    const cfg = this.config();
    if (this.channel && this.channelKey === CommandChannel.key(cfg)) return;
    await this.channel?.stop();
    this.channelKey = CommandChannel.key(cfg);
    this.channel = new CommandChannel(cfg, this.agentId, this.local.agent.stateDir, this.log);
    this.channel.start((kind, msg) => this.enqueue(() => this.onCommand(kind, msg)));
  }

  private channelKey = '';

  /** Start the agent with the current versions; if they do not start, roll back remote versions until one does. */
  private async bootAgent(pending: Array<[BundleKind, number | null, Outcome]>): Promise<void> {
    for (;;) {
      try {
        await this.startAgent();
        return;
      } catch (err) {
        const d = this.state.get();
        const kind: BundleKind | null = d.trial?.kind ?? (d.config.current ? 'config' : d.model.current ? 'model' : null);
        if (!kind) throw err;
        const version = d[kind].current?.version ?? null;
        const message = `v${version} does not start: ${errMessage(err)}`;
        this.log.error({ kind, version, err: errMessage(err) }, 'applied version does not start; rolling back');
        this.rollbackState(kind);
        pending.push([kind, version, { outcome: 'rolled-back', reason: 'apply-failed', message }]);
      }
    }
  }

  /** The config the agent runs with now. */
  config(): Config {
    return effectiveConfig(this.local, this.state.get(), this.state);
  }

  private async startAgent(): Promise<void> {
    const d = this.state.get();
    const agent = new Agent(this.config(), this.log, (this.opts.extensions ?? defaultExtensions)(), {
      bundles: { config: d.config.current?.version ?? null, model: d.model.current?.version ?? null },
    });
    this.agent = agent;
    this.opts.onAgent?.(agent);
    await agent.start();
  }

  private async stopAgent(): Promise<void> {
    const a = this.agent;
    this.agent = null;
    await a?.stop();
  }

  /** Stop the agent, run `between` (state files that need the agent stopped), start it with the current versions. */
  private async restartAgent(between?: () => void): Promise<void> {
    await this.stopAgent();
    between?.();
    await this.startAgent();
  }

  /** Handle one received command to its end. Never throws (the channel serialises calls). */
  private async onCommand(kind: BundleKind, msg: Buffer): Promise<void> {
    if (this.stopping) return;
    const cfg = this.config();
    let v: VerifiedBundle;
    try {
      v = verifyBundle(msg, cfg.fleet.trustedKeys, { site: cfg.agent.site, agent: this.agentId, kind }, cfg.fleet.maxBundleBytes);
    } catch (err) {
      const reason = err instanceof BundleError ? err.reason : 'malformed';
      this.report(kind, null, { outcome: 'refused', reason, message: errMessage(err) }, { bytes: msg.length });
      return;
    }
    const { payload: p } = v;
    const ks = this.state.get()[kind];
    const meta = { keyId: v.keyId, sha256: v.sha256, bytes: msg.length };
    if (p.version === ks.highest && v.sha256 === ks.highestSha) {
      // The retained bundle again (reconnect, restart): already decided; audited, not re-announced.
      this.report(kind, p.version, { outcome: 'duplicate', message: `v${p.version} was already handled` }, meta, false);
      return;
    }
    if (p.version <= ks.highest) {
      const message = `version ${p.version} is not above ${ks.highest}, the highest this agent accepted`;
      this.report(kind, p.version, { outcome: 'refused', reason: 'replay', message }, meta);
      return;
    }
    // A verified bundle moves the version floor even if it then fails validation: re-sending it cannot retry it.
    this.state.update((d) => {
      d[kind].highest = p.version;
      d[kind].highestSha = v.sha256;
    });
    let label: string | undefined;
    try {
      if (p.kind === 'config') stageConfig(this.state, p, this.local);
      else label = (await stageModel(this.state, p, cfg.detect, this.log)).label;
    } catch (err) {
      const reason: ResultReason = err instanceof BundleError ? err.reason : kind === 'config' ? 'invalid-config' : 'invalid-model';
      this.report(kind, p.version, { outcome: 'refused', reason, message: errMessage(err) }, meta);
      this.state.prune();
      return;
    }
    this.state.update((d) => {
      d[kind].previous = d[kind].current;
      d[kind].current = {
        version: p.version,
        sha256: v.sha256,
        keyId: v.keyId,
        appliedAt: new Date().toISOString(),
        ...(label ? { label } : {}),
      };
      d.trial = { kind, version: p.version, startedAt: new Date().toISOString(), cleanStop: false };
    });
    this.state.prune();
    this.before = this.agent ? new Set(problemsOf(this.agent).keys()) : new Set();
    try {
      await this.restartAgent(() => kind === 'model' && this.state.snapshotBaselines());
    } catch (err) {
      const message = `v${p.version} does not start: ${errMessage(err)}`;
      this.log.error({ kind, version: p.version, err: errMessage(err) }, 'applied version does not start; rolling back');
      await this.rollback(kind, p.version, 'apply-failed', message, meta);
      return;
    }
    this.report(kind, p.version, { outcome: 'applied', confirmed: false, message: `v${p.version} running; watching health` }, meta);
    await this.refreshChannel();
    await this.finishTrial(kind, p.version, meta);
  }

  /** Watch the trial window; confirm or roll back. */
  private async finishTrial(kind: BundleKind, version: number, meta: Partial<Record<'keyId' | 'sha256', string>> = {}): Promise<void> {
    const f = this.config().fleet;
    if (!this.agent) return;
    const w = new HealthWatch(this.agent, this.before);
    const verdict = await w.watch(f.rollbackAfterS * 1000, f.unhealthyForS * 1000, this.opts.tickMs ?? 1000, () => this.stopping);
    if (verdict.ok === 'stopped') return;
    if (verdict.ok) {
      this.state.update((d) => (d.trial = null));
      this.state.dropBaselinesSnapshot();
      const message = `v${version} healthy for ${f.rollbackAfterS} s`;
      this.report(kind, version, { outcome: 'applied', confirmed: true, message }, meta, true, 'confirmed');
      return;
    }
    await this.rollback(kind, version, 'unhealthy', `unhealthy for ${f.unhealthyForS} s after applying v${version}: ${verdict.why}`, meta);
  }

  private async rollback(kind: BundleKind, version: number, reason: ResultReason, message: string, meta: object): Promise<void> {
    this.log.warn({ kind, version, reason, message }, 'rolling back');
    await this.restartAgent(() => this.rollbackState(kind));
    this.report(kind, version, { outcome: 'rolled-back', reason, message }, meta);
    await this.refreshChannel();
  }

  /**
   * Make the previous version current again (the failed one stays the version floor), end the trial,
   * and for a model put back the baselines learned with the previous one. Call with the agent stopped.
   */
  private rollbackState(kind: BundleKind): void {
    this.state.update((d) => {
      d[kind].current = d[kind].previous;
      d[kind].previous = null;
      d.trial = null;
    });
    this.state.prune();
    if (kind === 'model') this.state.restoreBaselines();
  }

  /** Audit, log and (unless `publish` is false) publish a result. */
  private report(
    kind: BundleKind,
    version: number | null,
    o: Outcome,
    meta: { keyId?: string; sha256?: string; bytes?: number } = {},
    publish = true,
    auditOutcome: CommandResult['outcome'] | 'confirmed' = o.outcome,
  ): void {
    const ts = new Date().toISOString();
    const { bytes, ...ids } = meta;
    this.audit.record({
      ts,
      kind,
      version,
      outcome: auditOutcome,
      ...(o.reason ? { reason: o.reason } : {}),
      message: o.message,
      ...ids,
      ...(bytes !== undefined ? { bytes } : {}),
    });
    const level = o.outcome === 'refused' || o.outcome === 'rolled-back' ? 'warn' : 'info';
    this.log[level]({ kind, version, outcome: auditOutcome, reason: o.reason }, `fleet command: ${o.message}`);
    if (!publish) return;
    const d = this.state.get();
    this.channel?.publishResult({
      v: 1,
      agentId: this.agentId,
      site: this.local.agent.site,
      kind,
      version,
      ...o,
      message: o.message.slice(0, 1000),
      ...ids,
      active: {
        config: d.config.current?.version ?? null,
        model: d.model.current?.version ?? null,
        modelLabel: this.agent?.versions().modelLabel ?? null,
      },
      ts,
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // The command in progress ends first (a trial watch notices `stopping` within one tick).
    await this.queue;
    await this.channel?.stop();
    this.channel = null;
    const t = this.state.get().trial;
    if (t) this.state.update((d) => (d.trial = { ...t, cleanStop: true }));
    await this.stopAgent();
  }
}
