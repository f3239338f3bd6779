/**
 * The primary host application's STATE, as an edge node must honour it:
 * no births (so no data) until the configured host says it is online
 * [tck-id-message-flow-edge-node-birth-publish-phid-wait], only the newest
 * STATE counts, an older one is ignored
 * [tck-id-message-flow-edge-node-birth-publish-phid-wait-timestamp,
 * tck-id-operational-behavior-edge-node-termination-host-offline-timestamp],
 * and a newer offline one ends the session
 * [tck-id-operational-behavior-edge-node-termination-host-offline].
 *
 * Sparkplug 3.0: retained JSON `{"online": bool, "timestamp": ms}` on
 * `spBv1.0/STATE/<host_id>`. Hosts on the 2.2 form (`STATE/<host_id>`,
 * payload `ONLINE` / `OFFLINE`, no timestamp) are understood too, with the
 * arrival order standing in for the timestamp.
 */
import { NAMESPACE } from '../../sparkplug/codec.js';

export interface HostState {
  online: boolean;
  /** The host's timestamp (3.0), or the arrival time for a 2.2 host. */
  timestamp: number;
}

/** The topics to subscribe to for host `id` (3.0 and 2.2 forms). */
export function hostStateTopics(id: string): string[] {
  return [`${NAMESPACE}/STATE/${id}`, `STATE/${id}`];
}

/** Parse a STATE message; null when it is neither form (counted by the caller, never fatal). */
export function parseHostState(topic: string, payload: Buffer, arrivalMs: number): HostState | null {
  const text = payload.toString('utf8').trim();
  if (topic.startsWith(`${NAMESPACE}/STATE/`)) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return null;
    }
    const o = doc as { online?: unknown; timestamp?: unknown };
    if (typeof o?.online !== 'boolean' || typeof o.timestamp !== 'number' || !Number.isFinite(o.timestamp)) return null;
    return { online: o.online, timestamp: o.timestamp };
  }
  if (topic.startsWith('STATE/') && (text === 'ONLINE' || text === 'OFFLINE')) return { online: text === 'ONLINE', timestamp: arrivalMs };
  return null;
}

/** What the edge node should do after a STATE message. */
export type HostVerdict = 'online' | 'offline' | 'stale';

/** Tracks the newest STATE of the primary host. */
export class HostStateTracker {
  private last: HostState | null = null;

  /** Whether the host is known online (false until its first STATE). */
  get online(): boolean {
    return this.last?.online ?? false;
  }

  /**
   * Apply one STATE: `stale` when it is not newer than the one already seen (ignored). Equal counts as
   * seen: the retained STATE comes again with every new subscription, and must not end each new session.
   */
  update(s: HostState): HostVerdict {
    if (this.last && s.timestamp <= this.last.timestamp) return 'stale';
    this.last = s;
    return s.online ? 'online' : 'offline';
  }
}
