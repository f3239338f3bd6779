/**
 * bench:chaos end to end with a few cycles (one of each: burst, upstream outage, kill during start-up).
 * Not a timed test: it checks the JSON contract and what holds on any machine — every alert the agent
 * committed arrives upstream after SIGKILLs, none out of order per asset — plus the ledger itself on
 * made-up records, so a loss, a duplicate or an inversion would be seen.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chaosLedger, type Arrival } from '../bench/chaos/ledger.js';

const repo = join(import.meta.dirname, '../..');

describe('chaos ledger', () => {
  const arr = (id: string, asset: string, firstSeenMs: number, seq: number): Arrival => ({ id, asset, firstSeenMs, seq });
  it('counts a missing alert as lost, a second arrival as a duplicate, an older transition after a newer one as out of order', () => {
    const arrivals = [arr('x:1', 'a', 1, 1), arr('x:3', 'a', 1, 3), arr('x:2', 'a', 1, 2), arr('x:3', 'a', 1, 3), arr('y:1', 'b', 5, 1)];
    const known = new Set(['x:1', 'x:2', 'x:3', 'y:1', 'y:2', 'q:1']);
    const l = chaosLedger(arrivals, known, { enqueued: 7, queued: new Map([['q:1', 'c']]), dropped: 0 });
    expect(l).toMatchObject({ decided: 7, delivered: 4, lost: 2, duplicates: 1, outOfOrder: 1, stillQueued: 1 });
    expect(l.lostIds).toEqual(['y:2']);
  });
  it('nothing lost when every committed alert arrived or is still queued or was dropped by policy', () => {
    const l = chaosLedger([arr('x:1', 'a', 1, 1), arr('z:1', 'a', 2, 1)], new Set(['x:1', 'z:1']), {
      enqueued: 4,
      queued: new Map([['w:1', 'a']]),
      dropped: 1,
    });
    expect(l.lost).toBe(0);
    expect(l.outOfOrder).toBe(0);
  });
});

describe('bench:chaos --json --cycles 3 (built CLI)', () => {
  it('kills the agent with SIGKILL three times and loses nothing it decided', { timeout: 300_000 }, () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repo, 'test/bench/chaos.ts'), '--json', '--cycles', '3', '--assets', '4'],
      {
        cwd: repo,
        encoding: 'utf8',
        timeout: 290_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    for (const k of ['cycles', 'decided', 'delivered', 'lost', 'duplicates', 'outOfOrder', 'maxRecoveryMs'])
      expect(typeof j[k], k).toBe('number');
    expect(j['cycles']).toBe(3);
    expect(j['kills']).toBe(3);
    expect(j['scenarios']).toEqual({ burst: 1, outage: 1, restart: 1 });
    expect(j['decided'] as number).toBeGreaterThan(0);
    expect(j['lost']).toBe(0);
    expect(j['delivered']).toBe((j['decided'] as number) - (j['stillQueued'] as number));
    expect(j['outOfOrder']).toBe(0);
  });
});
