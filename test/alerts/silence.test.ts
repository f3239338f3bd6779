/**
 * Silent assets, with the real agent: an asset that stops sending past its
 * staleness bound is silent (event + one log line); its open alert is
 * resolved as stale (or flagged, alerts.onSilence: flag), upstream too; the
 * same holds after a restart; and the lifecycle's stale() is the API the
 * Sparkplug side calls on a node death.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { alertSchema } from '../../agent/alerts/schema.js';
import { AlertLifecycle } from '../../agent/alerts/lifecycle.js';
import type { EventMap } from '../../agent/events.js';
import { makeConfig, decision, tempDir } from './helpers.js';
import { startAgentRig, type AgentRig } from '../helpers/agent-rig.js';
import { waitFor } from '../helpers/wait.js';

let rig: AgentRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const FAST = { assets: { defaults: { stalenessMs: 400 } } };

describe('an asset that goes silent', () => {
  it(
    'is marked silent and its open alert is resolved as stale, upstream too; it resumes when data returns',
    { timeout: 60_000 },
    async () => {
      rig = await startAgentRig(tempDir('silent'), FAST);
      const r = rig;
      const events: Array<EventMap['asset']> = [];
      r.agent.bus.on('asset', (e) => events.push(e));
      await r.learn('pump-1');
      await r.fault('pump-1');
      await waitFor(() => r.upstream.alerts().some((a) => a.asset === 'pump-1' && a.state === 'open'), 10_000, 'the open alert upstream');
      // Silence: nothing more is sent for pump-1.
      await waitFor(() => r.upstream.alerts().some((a) => a.state === 'resolved'), 10_000, 'the stale resolution upstream');
      const resolved = alertSchema.parse(r.upstream.alerts().find((a) => a.state === 'resolved'));
      expect(resolved.stale).toMatchObject({ reason: 'asset_silent' });
      expect(resolved.stale!.silentS).toBeGreaterThanOrEqual(0.4);
      expect(resolved.summary.text).toMatch(
        /alert closed as stale, it lasted .*It stopped sending data and has been silent for .*, so whether the fault persists is unknown/,
      );
      expect(events.map((e) => `${e.asset}:${e.state}`)).toEqual(['pump-1:silent']);
      const lines = r.lines.filter((l) => String(l['msg']).startsWith('pump-1 is silent'));
      expect(lines).toHaveLength(1);
      expect(lines[0]!['msg']).toMatch(/its open alert is resolved as stale/);
      expect((await r.healthz()).body['alerts']).toMatchObject({ open: 0, silent: ['pump-1'] });
      await r.calm('pump-1', 5);
      await waitFor(() => events.length === 2, 5000, 'the resumed event');
      expect(events[1]).toMatchObject({ asset: 'pump-1', state: 'resumed' });
    },
  );

  it('with onSilence: flag, the alert stays open and is flagged stale once', { timeout: 60_000 }, async () => {
    rig = await startAgentRig(tempDir('flag'), { ...FAST, alerts: { onSilence: 'flag' } });
    const r = rig;
    await r.learn('fan-1');
    await r.fault('fan-1');
    await waitFor(() => r.upstream.alerts().some((a) => a.stale !== undefined), 10_000, 'the stale flag upstream');
    await new Promise((res) => setTimeout(res, 1000)); // longer silence: still one flag
    const fan = r.upstream.alerts().filter((a) => a.asset === 'fan-1');
    const flagged = fan.filter((a) => a.stale !== undefined);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatchObject({ state: 'update', stale: { reason: 'asset_silent' } });
    expect(fan.some((a) => a.state === 'resolved')).toBe(false);
    expect((await r.healthz()).body['alerts']).toMatchObject({ open: 1 });
  });

  it('after a restart: an asset whose alert was open and that never reports again is resolved as stale', { timeout: 60_000 }, async () => {
    const dir = tempDir('silent-restart');
    rig = await startAgentRig(dir, { assets: { defaults: { stalenessMs: 60_000 } } });
    await rig.learn('press-1');
    await rig.fault('press-1');
    await waitFor(() => rig!.upstream.alerts().some((a) => a.state === 'open'), 10_000, 'the open alert upstream');
    await rig.stop();
    // A new agent on the same state dir: press-1's alert is still open, and press-1 sends nothing.
    rig = await startAgentRig(dir, FAST);
    const r = rig;
    expect((await r.healthz()).body['alerts']).toMatchObject({ open: 1 });
    await waitFor(() => r.upstream.alerts().some((a) => a.state === 'resolved'), 10_000, 'the stale resolution after the restart');
    expect(r.upstream.alerts().find((a) => a.state === 'resolved')).toMatchObject({ asset: 'press-1', stale: { reason: 'asset_silent' } });
  });
});

describe('AlertLifecycle.stale (the API for Sparkplug deaths too)', () => {
  const cfg = makeConfig({ alerts: { openAfter: 1, resolveAfter: 3, cooldownS: 600 } }).alerts;

  it('resolves an open alert as stale, without a cooldown; null when nothing is open', () => {
    const lc = new AlertLifecycle(cfg);
    expect(lc.stale('p', { reason: 'node_death', lastSeen: 1, silentS: 2 }, 'resolve')).toBeNull();
    expect(lc.step(decision('p', 5))?.state).toBe('open');
    const t = lc.stale('p', { reason: 'node_death', lastSeen: 1, silentS: 2 }, 'resolve');
    expect(t).toMatchObject({ state: 'resolved', seq: 1, stale: { reason: 'node_death' } });
    expect(lc.isOpen('p')).toBe(false);
    // No cooldown after a stale close: the fault still there when data returns opens at once.
    expect(lc.step(decision('p', 5))?.state).toBe('open');
  });

  it('flags an open alert as stale and keeps it open', () => {
    const lc = new AlertLifecycle(cfg);
    lc.step(decision('q', 5));
    expect(lc.stale('q', { reason: 'asset_silent', lastSeen: 1, silentS: 30 }, 'flag')).toMatchObject({ state: 'update', seq: 1 });
    expect(lc.isOpen('q')).toBe(true);
  });
});
