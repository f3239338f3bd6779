/**
 * The central view of a fleet: every agent's retained status and last
 * command result, read from the central broker (`edge-sentinel fleet`).
 * Collecting is MQTT; folding the messages into rows and printing them is
 * pure, so it is tested without a broker.
 */
import mqtt from 'mqtt';
import { statusSchema, type Status } from '../uplink/status.js';
import { commandResultSchema, type CommandResult } from './result.js';

/** One agent as the fleet sees it. */
export interface FleetRow {
  site: string;
  agentId: string;
  state: 'online' | 'offline';
  /** From the last health status: the worst component state; null before the first one. */
  health: 'ok' | 'degraded' | 'down' | null;
  /** Components not ok, with their reason, e.g. "hotpath:deadline_misses". */
  problems: string[];
  openAlerts: number | null;
  outboxQueued: number | null;
  config: number | null;
  model: string | null;
  modelBundle: number | null;
  lastSeen: string;
  lastCommand: Pick<CommandResult, 'kind' | 'version' | 'outcome' | 'reason' | 'confirmed' | 'ts'> | null;
}

/** Fold retained messages (topic, payload) into one row per agent; unparseable ones are counted, not fatal. */
export function foldFleet(messages: Array<{ topic: string; payload: Buffer }>): { rows: FleetRow[]; invalid: number } {
  const status = new Map<string, Status>();
  const results = new Map<string, CommandResult>();
  let invalid = 0;
  for (const m of messages) {
    let body: unknown;
    try {
      body = JSON.parse(m.payload.toString('utf8'));
    } catch {
      invalid++;
      continue;
    }
    if (m.topic.endsWith('/cmd/result')) {
      const r = commandResultSchema.safeParse(body);
      if (r.success) results.set(`${r.data.site}/${r.data.agentId}`, r.data);
      else invalid++;
    } else if (m.topic.endsWith('/status')) {
      const r = statusSchema.safeParse(body);
      if (r.success) status.set(`${r.data.site}/${r.data.agentId}`, r.data);
      else invalid++;
    }
  }
  const rows = [...status.entries()].map(([key, s]): FleetRow => {
    const res = results.get(key);
    return {
      site: s.site,
      agentId: s.agentId,
      state: s.state,
      health: s.health?.status ?? null,
      problems: Object.entries(s.health?.components ?? {}).flatMap(([n, c]) => (c && c.state !== 'ok' ? [`${n}:${c.reason}`] : [])),
      openAlerts: s.health?.alerts.open ?? null,
      outboxQueued: s.health?.outbox.queued ?? null,
      config: s.versions?.config ?? null,
      model: s.versions?.modelLabel ?? null,
      modelBundle: s.versions?.model ?? null,
      lastSeen: s.ts,
      lastCommand: res
        ? { kind: res.kind, version: res.version, outcome: res.outcome, reason: res.reason, confirmed: res.confirmed, ts: res.ts }
        : null,
    };
  });
  rows.sort((a, b) => a.site.localeCompare(b.site) || a.agentId.localeCompare(b.agentId));
  return { rows, invalid };
}

/** A fixed-width table for a terminal. */
export function renderFleet(rows: FleetRow[], now = Date.now()): string {
  const head = ['SITE', 'AGENT', 'STATE', 'HEALTH', 'OPEN', 'OUTBOX', 'CONFIG', 'MODEL', 'SEEN', 'LAST COMMAND'];
  const body = rows.map((r) => [
    r.site,
    r.agentId,
    r.state,
    r.state === 'offline' ? '-' : r.health === null ? '?' : r.health === 'ok' ? 'ok' : `${r.health.toUpperCase()} ${r.problems.join(',')}`,
    r.openAlerts === null ? '?' : String(r.openAlerts),
    r.outboxQueued === null ? '?' : String(r.outboxQueued),
    r.config === null ? 'local' : `v${r.config}`,
    `${r.model ?? '?'}${r.modelBundle === null ? '' : ` (v${r.modelBundle})`}`,
    age(now - Date.parse(r.lastSeen)),
    r.lastCommand
      ? `${r.lastCommand.kind} v${r.lastCommand.version ?? '?'} ${r.lastCommand.outcome}${r.lastCommand.reason ? ` (${r.lastCommand.reason})` : ''}${r.lastCommand.confirmed ? ' confirmed' : ''}`
      : '-',
  ]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function age(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

/**
 * Subscribe to every status and result under `prefix` on `url`, collect
 * the retained messages for `waitMs`, and fold them. Throws when the broker
 * cannot be reached within `waitMs` + 5 s.
 */
export async function collectFleet(url: string, prefix: string, waitMs: number): Promise<{ rows: FleetRow[]; invalid: number }> {
  const client = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: waitMs + 5000, clean: true });
  const messages: Array<{ topic: string; payload: Buffer }> = [];
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    client.on('message', (topic, payload) => messages.push({ topic, payload }));
    await client.subscribeAsync([`${prefix}/+/status`, `${prefix}/+/+/status`, `${prefix}/+/+/cmd/result`], { qos: 1 });
    await new Promise((r) => setTimeout(r, waitMs));
  } finally {
    await client.endAsync(true);
  }
  return foldFleet(messages);
}
