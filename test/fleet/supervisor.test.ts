import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/load.js';
import type { ConfigInput } from '../../agent/config/schema.js';
import { commandTopic } from '../../agent/fleet/channel.js';
import { FleetSupervisor } from '../../agent/fleet/supervisor.js';
import { memoryLogger } from '../helpers/log.js';
import { uniq, waitFor } from '../helpers/wait.js';
import { BROKER, fleetListener, plantPublisher, readJsonl, signer } from './helpers.js';

/**
 * Signed remote management end to end through the real Mosquitto: bundles
 * are published retained on the agent's command topics like an operator
 * would (`edge-sentinel sign --publish`), results are read back from
 * `…/cmd/result`, and the command audit log is checked line by line.
 */
describe('fleet supervisor: signed config and model bundles', () => {
  const prefix = uniq('fleet');
  const site = 'plantA';
  const agent = 'gw-1';
  const stateDir = mkdtempSync(join(tmpdir(), 'es-fleet-'));
  const ops = signer(site, agent);
  const { log, lines } = memoryLogger('info');
  // The remote config is a whole config (what an operator templates per gateway); agent identity and fleet keys come from the box.
  const body = (openAfter: number): ConfigInput => ({
    log: { level: 'warn' },
    plant: {
      broker: { url: BROKER, protocolVersion: 4 },
      subscriptions: [{ topic: `${prefix}/plant/{asset}/{signal}`, decoder: 'number' }],
    },
    assets: { defaults: { learnSamples: 40, deadlineMs: 5 } },
    alerts: { openAfter },
    explain: { mode: 'template' },
    observe: { http: { enabled: false } },
    uplink: { enabled: true, prefix, broker: { url: BROKER, reconnectMs: 200 }, healthIntervalS: 1 },
  });
  const local = parseConfig({
    ...body(3),
    agent: { id: agent, site, stateDir },
    fleet: { enabled: true, trustedKeys: [ops.trusted], rollbackAfterS: 5, unhealthyForS: 2 },
  });
  let sup: FleetSupervisor;
  let plant: Awaited<ReturnType<typeof plantPublisher>>;
  let fleet: Awaited<ReturnType<typeof fleetListener>>;
  const topic = (kind: 'config' | 'model') => commandTopic(prefix, site, agent, kind);
  const publish = (kind: 'config' | 'model', msg: string) => fleet.client.publishAsync(topic(kind), msg, { qos: 1, retain: true });
  const audit = () => readJsonl(join(stateDir, 'fleet-audit.log'));

  beforeAll(async () => {
    fleet = await fleetListener(prefix);
    plant = await plantPublisher(prefix, 'pump', ['flow', 'pressure'], 50);
    sup = new FleetSupervisor(local, log, { tickMs: 200 });
    await sup.start();
  });
  afterAll(async () => {
    await sup?.stop();
    await plant?.stop();
    // Leave nothing retained on the shared broker.
    for (const t of [topic('config'), topic('model'), commandTopic(prefix, site, agent, 'result'), `${prefix}/${site}/status`])
      await fleet.client.publishAsync(t, '', { qos: 1, retain: true });
    await fleet?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('announces the versions it runs in its retained status', async () => {
    await waitFor(() => fleet.statuses.some((s) => s['state'] === 'online'), 10_000, 'the online status');
    expect(fleet.statuses.find((s) => s['state'] === 'online')!['versions']).toEqual({
      config: null,
      model: null,
      modelLabel: 'pca-t2q@1.0.0',
    });
  });

  it('refuses an unsigned config and a bad signature, and keeps running what it ran', async () => {
    const before = sup.agent;
    await publish('config', JSON.stringify(body(9)));
    expect(await fleet.next((r) => r.kind === 'config')).toMatchObject({
      outcome: 'refused',
      reason: 'unsigned',
      version: null,
      active: { config: null },
    });
    const env = JSON.parse(ops.config(1, body(9) as Record<string, unknown>)) as Record<string, string>;
    await publish('config', JSON.stringify({ ...env, sig: Buffer.alloc(64, 7).toString('base64') }));
    expect(await fleet.next((r) => r.kind === 'config')).toMatchObject({ outcome: 'refused', reason: 'bad-signature' });
    expect(sup.agent).toBe(before);
    expect(audit().map((l) => [l['outcome'], l['reason']])).toEqual([
      ['refused', 'unsigned'],
      ['refused', 'bad-signature'],
    ]);
  });

  it('refuses an invalid config, naming the path, and keeps running what it ran', async () => {
    const before = sup.agent;
    await publish('config', ops.config(1, { ...body(3), alerts: { openAfter: 0 } } as Record<string, unknown>));
    const r = await fleet.next((x) => x.kind === 'config');
    expect(r).toMatchObject({ outcome: 'refused', reason: 'invalid-config', version: 1, keyId: 'ops' });
    expect(r.message).toMatch(/alerts\.openAfter: .*\(got 0\)/);
    expect(sup.agent).toBe(before);
  });

  it('applies a signed config, restarts the agent with it, and confirms it once healthy through the window', async () => {
    await publish('config', ops.config(2, body(7) as Record<string, unknown>));
    expect(await fleet.next((r) => r.kind === 'config')).toMatchObject({
      outcome: 'applied',
      confirmed: false,
      version: 2,
      active: { config: 2 },
    });
    expect(sup.agent!.config.alerts.openAfter).toBe(7);
    expect(sup.agent!.config.agent.id).toBe(agent); // pinned from the local file
    expect(await fleet.next((r) => r.kind === 'config', 20_000)).toMatchObject({ outcome: 'applied', confirmed: true, version: 2 });
    expect(sup.state.get().config).toMatchObject({ highest: 2, current: { version: 2 }, previous: null });
  });

  it('refuses a replay: an older version, or the same version with other content', async () => {
    await publish('config', ops.config(1, body(4) as Record<string, unknown>));
    expect(await fleet.next((r) => r.kind === 'config')).toMatchObject({ outcome: 'refused', reason: 'replay', version: 1 });
    await publish('config', ops.config(2, body(4) as Record<string, unknown>));
    expect(await fleet.next((r) => r.kind === 'config')).toMatchObject({ outcome: 'refused', reason: 'replay', version: 2 });
    expect(sup.agent!.config.alerts.openAfter).toBe(7);
  });

  it('rolls back a model that makes the agent unhealthy (deadline misses), with its baselines', async () => {
    await waitFor(() => sup.agent!.pipeline.phases()[0]?.phase === 'detecting', 15_000, 'the pump to learn');
    await publish('model', ops.model(1, resolve(import.meta.dirname, 'fixtures/slow-scorer.card.json')));
    const applied = await fleet.next((r) => r.kind === 'model');
    expect(applied).toMatchObject({ outcome: 'applied', version: 1, active: { model: 1, modelLabel: 'slow-scorer@9.9.9' } });
    const rolled = await fleet.next((r) => r.kind === 'model', 30_000);
    const mark = lines.length;
    expect(rolled).toMatchObject({
      outcome: 'rolled-back',
      reason: 'unhealthy',
      version: 1,
      active: { model: null, modelLabel: 'pca-t2q@1.0.0' },
    });
    expect(rolled.message).toMatch(/hotpath degraded \(deadline_misses\): 50 consecutive scans missed/);
    // The baseline learned with the built-in model came back: the pump detects again without relearning.
    await waitFor(() => sup.agent!.pipeline.phases()[0]?.phase === 'detecting', 5000, 'the pump to detect again');
    await new Promise((r) => setTimeout(r, 1000));
    expect(lines.slice(mark).filter((l) => l['msg'] === 'baseline learned; detecting')).toEqual([]);
    expect(sup.state.get().model).toMatchObject({ highest: 1, current: null });
  });

  it('keeps versions across a restart: the retained bundles are duplicates, nothing is re-applied', async () => {
    await sup.stop();
    const n = audit().length;
    sup = new FleetSupervisor(local, log, { tickMs: 200 });
    await sup.start();
    await waitFor(() => audit().length >= n + 2, 10_000, 'the retained bundles to be audited');
    // The retained config is the v2 replay (other content): refused again; the retained model is the rolled-back v1: a duplicate.
    const fresh = audit().slice(n);
    expect(fresh.map((l) => [l['kind'], l['outcome'], l['reason'] ?? null]).sort()).toEqual([
      ['config', 'refused', 'replay'],
      ['model', 'duplicate', null],
    ]);
    expect(sup.agent!.versions()).toEqual({ config: 2, model: null, modelLabel: 'pca-t2q@1.0.0' });
    expect(sup.agent!.config.alerts.openAfter).toBe(7);
  });
});
