/**
 * Watches a freshly applied version through its trial window, against the
 * agent's component health (agent.health(): ok | degraded | down per
 * component, with a reason code). "Turned unhealthy" means a component is
 * degraded or down for a reason it did not have before the apply, for
 * `unhealthyForS` seconds in a row: a problem that was already there (the
 * plant broker was down before) is not the new version's doing, and a
 * version that fixes it is not blamed for it.
 */
import type { Agent } from '../controller.js';
import type { ComponentHealth } from '../observe/health.js';

export type Verdict = { ok: true } | { ok: false; why: string } | { ok: 'stopped' };

/** Every component not ok right now: `component/reason` → one line saying what is wrong. */
export function problemsOf(agent: Agent): Map<string, string> {
  const out = new Map<string, string>();
  const comps = (agent.health()['components'] ?? {}) as Record<string, ComponentHealth>;
  for (const [name, c] of Object.entries(comps)) {
    if (c.state !== 'ok') out.set(`${name}/${c.reason}`, `${name} ${c.state} (${c.reason}): ${c.message}`);
  }
  return out;
}

export class HealthWatch {
  constructor(
    private readonly agent: Agent,
    /** `component/reason` keys that were already bad before the apply. */
    private readonly before: ReadonlySet<string>,
  ) {}

  /** What is newly wrong right now, or null. */
  problem(): string | null {
    const fresh = [...problemsOf(this.agent)].filter(([k]) => !this.before.has(k)).map(([, v]) => v);
    return fresh.length ? fresh.join('; ') : null;
  }

  /**
   * Poll every `tickMs` for `windowMs`; resolves as soon as the agent has
   * been newly unhealthy for `badMs` in a row, or when `stopped()` turns true.
   */
  async watch(windowMs: number, badMs: number, tickMs: number, stopped: () => boolean): Promise<Verdict> {
    const end = Date.now() + windowMs;
    let badSince: number | null = null;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, tickMs));
      if (stopped()) return { ok: 'stopped' };
      const why = this.problem();
      if (why === null) {
        badSince = null;
        continue;
      }
      badSince ??= Date.now();
      if (Date.now() - badSince >= badMs) return { ok: false, why };
    }
    return { ok: true };
  }
}
