/** Starting the site processes of the fleet bench and collecting their reports. */
import { join } from 'node:path';
import { spawnTs, type Proc } from '../perf/procs.js';
import type { FleetOptions } from './options.js';
import type { FromSite, SiteReport, ToSite } from './protocol.js';

export type SiteProc = Proc<ToSite, FromSite>;

/**
 * Start one site process per edge broker, two at a time (twenty ONNX Runtime
 * start-ups at once would only queue on two cores), and resolve once every
 * asset of every site detects. Each 'learned' is awaited from the spawn on:
 * the first sites learn before the last ones start.
 */
export async function startSites(
  o: FleetOptions,
  names: string[],
  edgeUrls: string[],
  dir: string,
  prefix: string,
  into: SiteProc[],
): Promise<void> {
  const learned: Array<Promise<unknown>> = [];
  for (let i = 0; i < names.length; i += 2) {
    const batch = names.slice(i, i + 2).map((site, j) => {
      const setup = {
        site,
        agentId: `gw-${site}`,
        edgeUrl: edgeUrls[i + j]!,
        prefix,
        stateDir: join(dir, site),
        assets: o.assets,
        signals: o.signals,
        rateHz: o.rateHz,
        learnSamples: o.learn,
        seed: 1000 + i + j,
      };
      const p = spawnTs<ToSite, FromSite>(site, join(import.meta.dirname, 'site.ts'), [JSON.stringify(setup)], [], o.nice);
      into.push(p);
      const l = p.next('learned', 600_000);
      // Awaited below with the others; until then a site that dies must not be an unhandled rejection.
      l.catch(() => undefined);
      learned.push(l);
      return p.next('ready', 120_000);
    });
    await Promise.all(batch);
  }
  await Promise.all(learned);
}

/**
 * Reports from every site once every alert it decided has arrived
 * (`arrived`) and nothing is queued — or `drainS` is up. The first round
 * waits `settleMs`, so the resolutions of the last faults are decided too.
 */
export async function drainedReports(
  sites: SiteProc[],
  arrived: () => Set<string>,
  drainS: number,
  settleMs = 5000,
): Promise<SiteReport[]> {
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, settleMs));
  for (;;) {
    const reports = await Promise.all(sites.map((p) => p.request({ type: 'report' }, 'report', 30_000)));
    const got = arrived();
    const missing = reports.reduce((n, r) => n + r.decided.filter((d) => !got.has(d.id)).length, 0);
    const queued = reports.reduce((n, r) => n + Math.max(0, r.queued), 0);
    if ((missing === 0 && queued === 0) || Date.now() - t0 > drainS * 1000) return reports;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Ask every site to stop, then make sure it did. */
export async function stopSites(sites: SiteProc[]): Promise<void> {
  await Promise.allSettled(
    sites.map(async (p) => {
      p.send({ type: 'stop' });
      await Promise.race([new Promise<void>((r) => p.child.once('exit', () => r())), new Promise((r) => setTimeout(r, 10_000))]);
      await p.kill(2000);
    }),
  );
}
