import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTopic } from '../../agent/fleet/channel.js';
import type { FleetRow } from '../../agent/fleet/view.js';
import { uniq, waitFor } from '../helpers/wait.js';
import { BROKER, fleetListener, plantPublisher } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'agent/cli/main.ts');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * The operator's path with the real CLI: keygen, an agent run under systemd's
 * command line (`run --config`), `sign --publish` to its command topic, a
 * kill -9 in the middle of the trial, and `fleet --url` to look at it all.
 */
describe('edge-sentinel keygen / sign / run / fleet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'es-fleet-cli-'));
  const prefix = uniq('fleetcli');
  const site = 'plantC';
  const agentId = 'gw-cli';
  let child: ChildProcess | null = null;
  let plant: Awaited<ReturnType<typeof plantPublisher>>;
  let fleet: Awaited<ReturnType<typeof fleetListener>>;
  const cfgFile = join(dir, 'agent.yaml');
  const remoteFile = join(dir, 'remote.yaml');
  const common = `log: { level: info }
plant: { broker: { url: "${BROKER}", protocolVersion: 4 }, subscriptions: [{ topic: "${prefix}/plant/{asset}/{signal}" }] }
assets: { defaults: { learnSamples: 40 } }
explain: { mode: template }
observe: { http: { enabled: false } }
uplink: { enabled: true, prefix: "${prefix}", broker: { url: "${BROKER}", reconnectMs: 200 }, healthIntervalS: 1 }
`;
  const run = () => {
    child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', '--config', cfgFile], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.resume();
    child.stderr?.resume();
  };
  const stop = async (sig: NodeJS.Signals) => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill(sig);
    });
  };

  beforeAll(async () => {
    fleet = await fleetListener(prefix);
    plant = await plantPublisher(prefix, 'fan', ['speed', 'temp'], 20);
  });
  afterAll(async () => {
    await stop('SIGKILL');
    await plant?.stop();
    for (const t of [
      commandTopic(prefix, site, agentId, 'config'),
      commandTopic(prefix, site, agentId, 'result'),
      `${prefix}/${site}/status`,
    ])
      await fleet.client.publishAsync(t, '', { qos: 1, retain: true });
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keygen writes a private key only its owner can read and prints the trustedKeys entry; never overwrites', () => {
    const r = cli(['keygen', '--id', 'ops-2026', '--out', dir]);
    expect(r.code).toBe(0);
    expect(statSync(join(dir, 'ops-2026.key')).mode & 0o777).toBe(0o600);
    const pub = readFileSync(join(dir, 'ops-2026.pub'), 'utf8').trim();
    expect(r.out).toContain(`    - id: ops-2026\n      publicKey: ${pub}\n`);
    const again = cli(['keygen', '--id', 'ops-2026', '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/ops-2026\.key exists/);
    writeFileSync(
      cfgFile,
      `agent: { id: ${agentId}, site: ${site}, stateDir: "${join(dir, 'state')}" }\n${common}fleet: { enabled: true, rollbackAfterS: 60, trustedKeys: [{ id: ops-2026, publicKey: "${pub}" }] }\n`,
    );
  });

  it('a config signed and published with sign --publish is applied; a kill -9 during its trial rolls it back at the next start', async () => {
    run();
    await waitFor(
      () => fleet.statuses.some((s) => s['agentId'] === agentId && s['state'] === 'online'),
      20_000,
      'the agent to come online',
    );
    writeFileSync(remoteFile, `${common}alerts: { openAfter: 6 }\n`);
    const key = join(dir, 'ops-2026.key');
    const signed = cli([
      'sign',
      '--key',
      key,
      '--key-id',
      'ops-2026',
      '--site',
      site,
      '--agent',
      agentId,
      '--version',
      '1',
      '--config',
      remoteFile,
      '--publish',
      BROKER,
      '--prefix',
      prefix,
    ]);
    expect(signed.err).toContain(`retained on ${commandTopic(prefix, site, agentId, 'config')}`);
    expect(signed.code).toBe(0);
    expect(await fleet.next((r) => r.agentId === agentId)).toMatchObject({ outcome: 'applied', version: 1, confirmed: false });
    await stop('SIGKILL');
    run();
    const back = await fleet.next((r) => r.agentId === agentId, 20_000);
    expect(back).toMatchObject({ outcome: 'rolled-back', reason: 'crashed', version: 1, active: { config: null } });
  });

  it('fleet --url lists the agent from its retained status, then shows it offline after a clean stop', async () => {
    await waitFor(() => fleet.statuses.filter((s) => s['agentId'] === agentId && s['health']).length >= 2, 10_000, 'a health status');
    const view = cli(['fleet', '--url', BROKER, '--prefix', prefix, '--json', '--wait-ms', '800']);
    expect(view.code).toBe(0);
    const { agents } = JSON.parse(view.out) as { agents: FleetRow[] };
    expect(agents).toEqual([
      expect.objectContaining({
        site,
        agentId,
        state: 'online',
        health: 'ok',
        problems: [],
        openAlerts: 0,
        config: null,
        model: 'pca-t2q@1.0.0',
        lastCommand: expect.objectContaining({ kind: 'config', version: 1, outcome: 'rolled-back', reason: 'crashed' }),
      }),
    ]);
    const table = cli(['fleet', '--url', BROKER, '--prefix', prefix, '--wait-ms', '800']).out;
    expect(table.split('\n')[0]).toMatch(/^SITE\s+AGENT\s+STATE\s+HEALTH\s+OPEN\s+OUTBOX\s+CONFIG\s+MODEL\s+SEEN\s+LAST COMMAND$/);
    expect(table).toMatch(
      new RegExp(`${site}\\s+${agentId}\\s+online\\s+ok\\s+0\\s+0\\s+local\\s+pca-t2q@1.0.0 .*config v1 rolled-back \\(crashed\\)`),
    );
    await stop('SIGTERM');
    const after = JSON.parse(cli(['fleet', '--url', BROKER, '--prefix', prefix, '--json', '--wait-ms', '800']).out) as {
      agents: FleetRow[];
    };
    expect(after.agents.map((a) => a.state)).toEqual(['offline']);
  });
});
