import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../alerts/helpers.js';
import { startUpstreamBroker, type UpstreamBroker } from './helpers/upstream-broker.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/kill-child.ts', import.meta.url));

let broker: UpstreamBroker | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await broker?.close();
  broker = undefined;
});

interface Run {
  child: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[], onLine: (l: string, r: Run) => void = () => undefined): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const r: Run = { child, lines: [], exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))) };
  let buf = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      r.lines.push(line);
      onLine(line, r);
    }
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) console.error(`child stderr:\n${err}`);
  });
  return r;
}

describe('SIGKILL mid-burst', () => {
  for (const withOutage of [false, true]) {
    const name = withOutage ? 'killed while the upstream is down with alerts in flight' : 'killed while delivering';
    it(`${name}: every decided alert is delivered after a restart, same id, per-asset order kept`, { timeout: 60_000 }, async () => {
      // A slow upstream keeps alerts in flight (sent, not yet acknowledged) when the kill lands.
      const b = await startUpstreamBroker({ ackDelayMs: 5 });
      broker = b;
      const stateDir = tempDir('kill');
      const decided: Array<{ id: string; asset: string }> = [];
      const KILL_AFTER = 150;
      let killing = false;
      const first = run([stateDir, b.url, 'burst', '100'], (line, r) => {
        const m = /^ALERT (\S+) (\S+)$/.exec(line);
        if (m) decided.push({ id: m[1]!, asset: m[2]! });
        if (decided.length >= KILL_AFTER && !killing) {
          killing = true;
          if (withOutage) void b.down().then(() => r.child.kill('SIGKILL'));
          else r.child.kill('SIGKILL');
        }
      });
      const ended = await first.exited;
      expect(ended.signal).toBe('SIGKILL'); // killed mid-burst, not finished
      expect(first.lines).not.toContain('BURST-DONE');
      const deliveredBeforeRestart = new Set(b.alerts().map((a) => a.id)).size;
      if (withOutage) await b.up();

      const second = run([stateDir, b.url, 'drain']);
      const done = await second.exited;
      expect(done.code).toBe(0);
      expect(second.lines.some((l) => l.startsWith('DRAINED '))).toBe(true);

      const got = b.alerts();
      const gotIds = new Set(got.map((a) => a.id as string));
      const lost = decided.filter((d) => !gotIds.has(d.id));
      const extra = [...gotIds].filter((id) => !decided.some((d) => d.id === id)).length;
      console.log(
        `[kill${withOutage ? '+outage' : ''}] decided(before kill)=${decided.length} delivered_before_kill=${deliveredBeforeRestart} delivered_unique_total=${gotIds.size} ` +
          `lost=${lost.length} committed_but_unprinted=${extra} duplicates=${got.length - gotIds.size} replayed=${got.filter((a) => a.replayed === true).length}`,
      );
      expect(lost).toEqual([]);
      expect(got.filter((a) => a.replayed === true).length).toBeGreaterThan(0);

      // Per asset, first deliveries follow decision order.
      for (const asset of new Set(decided.map((d) => d.asset))) {
        const want = decided.filter((d) => d.asset === asset).map((d) => d.id);
        const seen = new Set<string>();
        const order = got
          .filter((a) => a.asset === asset && !seen.has(a.id as string) && seen.add(a.id as string))
          .map((a) => a.id as string);
        expect(order.filter((id) => want.includes(id))).toEqual(want);
      }
    });
  }
});
