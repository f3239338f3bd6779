import type { HealthRegistry, HealthSnapshot } from '../../agent/observe/health.js';
import type { RedNode, StatusSpec } from './red.js';

/**
 * A node's status with the config node's health on it: Node-RED shows no
 * status for config nodes, so each node using one carries it — yellow while
 * a component is degraded, red while one is down, naming it and its reason.
 */
export function withHealth(s: StatusSpec, h: HealthSnapshot): StatusSpec {
  if (h.status === 'ok') return s;
  const name = h.down[0] ?? h.degraded[0]!;
  const c = h.components[name]!;
  return {
    fill: h.status === 'down' ? 'red' : 'yellow',
    shape: s.shape ?? 'dot',
    text: `${s.text ?? ''} · ${name} ${c.state}: ${c.reason}`,
  };
}

/**
 * node.status() at most every `everyMs`: a status update is a message to
 * every open editor, too costly per sample. The latest status always wins;
 * the trailing one is shown when the interval ends.
 */
export class StatusThrottle {
  private last = 0;
  private pending: StatusSpec | null = null;
  private timer: NodeJS.Timeout | null = null;
  private shown = '';
  private latest: StatusSpec | null = null;
  private readonly off: (() => void) | undefined;

  constructor(
    private readonly node: RedNode,
    private readonly everyMs: number,
    /** The config node's health, shown on this node's status (and refreshed when it changes). */
    private readonly health?: HealthRegistry,
  ) {
    this.off = health?.onChange(() => {
      if (this.latest) this.set(this.latest);
    });
  }

  set(s: StatusSpec): void {
    this.latest = s;
    if (this.health) s = withHealth(s, this.health.snapshot());
    const now = Date.now();
    if (now - this.last >= this.everyMs && !this.timer) {
      this.show(s, now);
      return;
    }
    this.pending = s;
    if (!this.timer) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          if (this.pending) this.show(this.pending, Date.now());
          this.pending = null;
        },
        Math.max(1, this.everyMs - (now - this.last)),
      );
      this.timer.unref();
    }
  }

  /**
   * Shows `s` at once without opening a throttle interval (the "ready" status before the first
   * message): the first real status after it is shown at once as well, not coalesced behind it.
   */
  initial(s: StatusSpec): void {
    this.latest = s;
    this.show(this.health ? withHealth(s, this.health.snapshot()) : s, 0);
  }

  private show(s: StatusSpec, now: number): void {
    this.last = now;
    const key = `${s.fill}|${s.shape}|${s.text}`;
    if (key === this.shown) return;
    this.shown = key;
    this.node.status(s);
  }

  stop(): void {
    this.off?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }
}
