/**
 * Storage faults under the real agent: a full disk, a read-only state dir and
 * a damaged alerts.db. Each gives a clear health reason naming the file and
 * what to do; detection and alerting go on (in memory, alerts flagged
 * volatile); nothing crashes; and when the disk is back everything held in
 * memory is written back.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../alerts/helpers.js';
import { startAgentRig, type AgentRig } from '../helpers/agent-rig.js';
import { canMount, mountTmpfs, why, type Mount } from '../helpers/mounts.js';
import { waitFor } from '../helpers/wait.js';

let rig: AgentRig | undefined;
let mount: Mount | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
  mount?.unmount();
  mount = undefined;
});

/** Alert rows and asset states in the database file (read-only open, like an operator with sqlite3). */
function onDisk(file: string): { outbox: number; states: string[] } {
  const db = new Database(file, { readonly: true });
  try {
    const outbox = (db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
    const states = (db.prepare('SELECT asset FROM alert_state').all() as Array<{ asset: string }>).map((r) => r.asset);
    return { outbox, states };
  } finally {
    db.close();
  }
}

describe.skipIf(!canMount)(`state dir on a small tmpfs (${canMount ? 'root' : why})`, () => {
  it(
    'full disk: keeps alerting from memory (volatile), says so naming the file, and writes everything back when space returns',
    { timeout: 60_000 },
    async () => {
      mount = mountTmpfs(4096);
      const stateDir = join(mount.dir, 'state');
      rig = await startAgentRig(stateDir, { uplink: { outbox: { synchronous: 'normal' } } });
      const r = rig;
      await r.learn('pump-1');
      await r.learn('pump-2');
      // Stop the upstream so alerts stay queued (in memory) while the disk is full.
      await r.upstream.down();
      mount.fill();
      await r.fault('pump-1');
      await waitFor(() => r.agent.healthRegistry.get('alertStore')?.state === 'down', 5000, 'alertStore down');
      const { code, body } = await r.healthz();
      expect(code).toBe(503);
      const store = body.components.alertStore!;
      expect(store.reason).toBe('store_disk_full');
      expect(store.message).toContain(join(stateDir, 'alerts.db'));
      expect(store.message).toMatch(/What to do: free space/);
      // Detection goes on: the second asset still alerts while the disk is full.
      await r.fault('pump-2');
      await r.upstream.up();
      await waitFor(() => r.upstream.alerts().some((a) => a.asset === 'pump-2'), 10_000, 'pump-2 alert upstream');
      const during = r.upstream.alerts();
      expect(during.filter((a) => a.state === 'open').map((a) => [a.asset, a.volatile])).toEqual([
        ['pump-1', true],
        ['pump-2', true],
      ]);
      // Space returns: the store writes memory back on its own (every storageRetryS = 0.2 s here).
      mount.free();
      await waitFor(() => r.agent.healthRegistry.get('alertStore')?.state === 'ok', 5000, 'alertStore ok');
      expect(r.agent.healthRegistry.get('alertStore')?.message).toMatch(/writable again/);
      await waitFor(() => onDisk(join(stateDir, 'alerts.db')).states.length === 2, 5000, 'both asset states on disk');
      // Back on disk: the resolution that follows is not volatile.
      for (let k = 0; k < 20 && !r.upstream.alerts().some((a) => a.asset === 'pump-1' && a.state === 'resolved'); k++)
        await r.calm('pump-1', 20);
      const resolved = r.upstream.alerts().find((a) => a.asset === 'pump-1' && a.state === 'resolved');
      expect(resolved).toBeDefined();
      expect(resolved!.volatile).toBeUndefined();
      expect((await r.healthz()).code).toBe(200);
    },
  );

  it(
    'full disk while an asset learns: its baseline stays in memory (baselines degraded) and is written when space returns',
    { timeout: 60_000 },
    async () => {
      mount = mountTmpfs(4096);
      const stateDir = join(mount.dir, 'state');
      rig = await startAgentRig(stateDir);
      const r = rig;
      mount.fill();
      await r.learn('mixer-1');
      await waitFor(() => r.agent.healthRegistry.get('baselines')?.state === 'degraded', 5000, 'baselines degraded');
      expect(r.agent.healthRegistry.get('baselines')).toMatchObject({ reason: 'baseline_write_failed' });
      expect(r.agent.healthRegistry.get('baselines')?.message).toContain(join(stateDir, 'baselines'));
      // It detects on the in-memory baseline meanwhile.
      await r.fault('mixer-1');
      mount.free();
      await waitFor(() => r.agent.healthRegistry.get('baselines')?.state === 'ok', 5000, 'baselines ok');
      expect(JSON.parse(readFileSync(join(stateDir, 'baselines', 'mixer-1.json'), 'utf8'))).toMatchObject({ v: 1, asset: 'mixer-1' });
    },
  );

  it(
    'read-only state dir at start-up: the agent starts, detects and alerts from memory, and catches up when it is writable',
    { timeout: 60_000 },
    async () => {
      mount = mountTmpfs(4096);
      const stateDir = join(mount.dir, 'state');
      // A first run creates the state (baselines, alerts.db); then the file system goes read-only under a restart.
      rig = await startAgentRig(stateDir);
      await rig.learn('fan-1');
      await rig.stop();
      mount.readOnly(true);
      rig = await startAgentRig(stateDir);
      const r = rig;
      expect(r.agent.healthRegistry.get('alertStore')).toMatchObject({ state: 'down', reason: 'store_readonly' });
      expect(r.agent.healthRegistry.get('alertStore')?.message).toContain(join(stateDir, 'alerts.db'));
      // The baseline was read back from the read-only dir, so fan-1 detects from its first samples.
      await r.calm('fan-1', 5);
      // Phases come from the hot thread (reported as they change): wait for the first report, not for a turn.
      await waitFor(() => r.agent.pipeline.phases().length > 0, 5000, 'fan-1 in the phases');
      expect(r.agent.pipeline.phases()).toEqual([{ asset: 'fan-1', phase: 'detecting', samples: expect.any(Number) }]);
      await r.fault('fan-1');
      await waitFor(() => r.upstream.alerts().some((a) => a.asset === 'fan-1'), 10_000, 'fan-1 alert upstream');
      expect(r.upstream.alerts()[0]).toMatchObject({ asset: 'fan-1', volatile: true });
      mount.readOnly(false);
      await waitFor(() => r.agent.healthRegistry.get('alertStore')?.state === 'ok', 5000, 'alertStore ok');
      await waitFor(() => onDisk(join(stateDir, 'alerts.db')).states.includes('fan-1'), 5000, 'fan-1 state on disk');
    },
  );
});

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => res(p));
    });
  });
}

describe.skipIf(!canMount)(`the built CLI on a read-only file system (${canMount ? 'root' : why})`, () => {
  it(
    'starts and keeps running (no crash loop) when its state dir cannot even be created, and says why on /healthz',
    { timeout: 60_000 },
    async () => {
      const cli = resolve(import.meta.dirname, '../../dist/agent/cli/main.js');
      if (!existsSync(cli)) throw new Error(`${cli} missing: run npm run build first`);
      mount = mountTmpfs(1024);
      const cfgFile = join(tempDir('rocfg'), 'config.json');
      const port = await freePort();
      const stateDir = join(mount.dir, 'never-created');
      writeFileSync(
        cfgFile,
        JSON.stringify({
          agent: { stateDir },
          log: { level: 'warn' },
          plant: { subscriptions: [{ topic: `ro-${process.pid}/{asset}/{signal}` }] },
          observe: { http: { port } },
          uplink: { enabled: true, broker: { url: 'mqtt://127.0.0.1:1883' } },
        }),
      );
      mount.readOnly(true);
      let stderr = '';
      const child = spawn(process.execPath, [cli, 'run', '--config', cfgFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      try {
        let body: { components: Record<string, { state: string; reason: string; message: string }> } | undefined;
        await waitFor(
          () => child.exitCode !== null || body !== undefined,
          30_000,
          '/healthz',
          async () => {
            body = await fetch(`http://127.0.0.1:${port}/healthz`).then(
              (r) => (r.status === 503 ? (r.json() as Promise<typeof body>) : undefined),
              () => undefined,
            );
          },
        );
        expect(child.exitCode, stderr).toBeNull();
        expect(body!.components['alertStore']).toMatchObject({ state: 'down', reason: 'store_readonly' });
        expect(body!.components['alertStore']!.message).toContain(join(stateDir, 'alerts.db'));
        expect(body!.components['baselines']).toMatchObject({ state: 'degraded', reason: 'baseline_write_failed' });
        expect(body!.components['uplink']!.message).toContain(join(stateDir, 'egress-audit.log'));
        await new Promise((r) => setTimeout(r, 1000));
        expect(child.exitCode, stderr).toBeNull();
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
      }
    },
  );
});

describe('damaged state files', () => {
  it('a truncated baseline: moved aside, named in health, the asset relearns and the health clears', { timeout: 60_000 }, async () => {
    const stateDir = tempDir('trunc');
    rig = await startAgentRig(stateDir);
    await rig.learn('pump-7');
    await rig.stop();
    const file = join(stateDir, 'baselines', 'pump-7.json');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    rig = await startAgentRig(stateDir);
    const r = rig;
    const h = r.agent.healthRegistry.get('baselines')!;
    expect(h).toMatchObject({ state: 'degraded', reason: 'baseline_corrupt' });
    expect(h.message).toContain(file);
    expect(h.message).toMatch(/moved to .*pump-7\.json\.corrupt-.*pump-7 relearns/);
    await r.calm('pump-7', 5);
    await waitFor(() => r.agent.pipeline.phases().length > 0, 5000, 'pump-7 in the phases');
    expect(r.agent.pipeline.phases()).toEqual([{ asset: 'pump-7', phase: 'learning', samples: expect.any(Number) }]);
    await r.learn('pump-7');
    await waitFor(() => r.agent.healthRegistry.get('baselines')?.state === 'ok', 5000, 'baselines ok');
    expect(readdirSync(join(stateDir, 'baselines')).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  it('a damaged alerts.db is moved aside with a clear reason; the agent starts on a new one and alerts', { timeout: 60_000 }, async () => {
    const stateDir = tempDir('corrupt');
    writeFileSync(join(stateDir, 'alerts.db'), 'SQLite format 3\0'.padEnd(8192, '\x07'));
    rig = await startAgentRig(stateDir);
    const r = rig;
    const h = r.agent.healthRegistry.get('alertStore')!;
    expect(h).toMatchObject({ state: 'degraded', reason: 'store_corrupt_replaced' });
    expect(h.message).toContain(join(stateDir, 'alerts.db'));
    expect(h.message).toMatch(/moved to .*alerts\.db\.corrupt-/);
    const aside = readdirSync(stateDir).filter((f) => f.startsWith('alerts.db.corrupt-'));
    expect(aside).toHaveLength(1);
    await r.learn('press-1');
    await r.fault('press-1');
    await waitFor(() => r.upstream.alerts().some((a) => a.asset === 'press-1'), 10_000, 'press-1 alert upstream');
    expect(existsSync(join(stateDir, 'alerts.db'))).toBe(true);
    expect((await r.healthz()).code).toBe(200);
  });
});
