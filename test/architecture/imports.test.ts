/**
 * The import graph of agent/, read from the sources (a small madge): which
 * stage may import which, and no cycles. Persistence has one owner
 * (persist/); alerting writes through it and the uplink reads from it, so
 * neither alerts/ nor uplink/ imports the other's internals, and persist/
 * imports neither.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const AGENT = resolve(import.meta.dirname, '../../agent');

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every static import/export-from and dynamic import() with a relative specifier, resolved to a file under agent/. */
export function importGraph(): Edge[] {
  const edges: Edge[] = [];
  for (const file of files(AGENT)) {
    const src = readFileSync(file, 'utf8');
    const re =
      /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
    for (const m of src.matchAll(re)) {
      const spec = m[3] ?? m[4]!;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      // Inline `import { type A, type B }` is type-only too.
      const braces = /\{([^}]*)\}/.exec(m[0])?.[1];
      const allTypes = braces !== undefined && braces.split(',').every((n) => n.trim() === '' || /^type\s/.test(n.trim()));
      edges.push({ from: relative(AGENT, file), to: relative(AGENT, target), typeOnly: Boolean(m[2]) || allTypes });
    }
  }
  return edges;
}

const stage = (f: string): string => (f.includes('/') ? f.split('/')[0]! : f);

/** Strongly connected components with more than one file (Tarjan). */
function cycles(edges: Edge[]): string[][] {
  const adj = new Map<string, string[]>();
  for (const e of edges) adj.set(e.from, [...(adj.get(e.from) ?? []), e.to]);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of adj.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('import graph of agent/', () => {
  const edges = importGraph();

  it('reads the graph (sanity: the known edges are there)', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges).toContainEqual({ from: 'alerts/manager.ts', to: 'persist/store.ts', typeOnly: true });
    expect(edges).toContainEqual({ from: 'persist/store.ts', to: 'persist/db.ts', typeOnly: false });
  });

  it('alerts/ never imports uplink/, and persist/ imports neither alerts/ nor uplink/ (types included)', () => {
    const bad = edges.filter(
      (e) =>
        (stage(e.from) === 'alerts' && stage(e.to) === 'uplink') ||
        (stage(e.from) === 'persist' && ['alerts', 'uplink'].includes(stage(e.to))),
    );
    expect(bad).toEqual([]);
  });

  it('the outbox and the alerts database are opened only in persist/', () => {
    for (const file of files(AGENT)) {
      const rel = relative(AGENT, file);
      if (rel.startsWith('persist/')) continue;
      const src = readFileSync(file, 'utf8');
      expect(/from 'better-sqlite3'/.test(src), `${rel} imports better-sqlite3`).toBe(false);
      expect(/new Outbox\b/.test(src), `${rel} builds an Outbox`).toBe(false);
    }
  });

  it('has no runtime import cycle through alerts/, uplink/ or persist/', () => {
    const found = cycles(edges.filter((e) => !e.typeOnly)).filter((c) => c.some((f) => ['alerts', 'uplink', 'persist'].includes(stage(f))));
    expect(found).toEqual([]);
  });
});

describe('ONNX Runtime telemetry off in every entry point', () => {
  const ROOT = resolve(import.meta.dirname, '../..');
  const all = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? all(p) : /\.(ts|js|mjs|cjs)$/.test(p) ? [p] : [];
    });
  // Everything that runs outside the test runner: the agent and its workers, the Node-RED nodes, bench hosts, scripts.
  const sources = ['agent', 'nodes/src', 'nodes/lib', 'test/bench', 'scripts'].flatMap((d) =>
    statSync(join(ROOT, d), { throwIfNoEntry: false }) ? all(join(ROOT, d)) : [],
  );

  it('every module that loads onnxruntime-node disables its telemetry first (in the same file, before the import)', () => {
    const loaders = sources.filter((f) => /(?:from|import\(|require\()\s*['"]onnxruntime-node['"]/.test(readFileSync(f, 'utf8')));
    expect(loaders.map((f) => relative(ROOT, f)).sort()).toEqual([
      'agent/detect/model.ts',
      'agent/doctor/onnx.ts',
      'agent/explain/runner.ts',
    ]);
    for (const f of loaders) {
      const src = readFileSync(f, 'utf8');
      const off = src.search(/import ['"]\.\.\/no-telemetry\.js['"]/);
      const ort = src.search(/(?:from|import\(|require\()\s*['"]onnxruntime-node['"]/);
      expect(off, `${relative(ROOT, f)} imports no-telemetry`).toBeGreaterThanOrEqual(0);
      expect(off, `${relative(ROOT, f)}: no-telemetry before onnxruntime-node`).toBeLessThan(ort);
    }
  });

  it('the Node-RED bridge, the systemd unit and the Dockerfile set ORT_DISABLE_TELEMETRY=1 too', () => {
    expect(readFileSync(join(ROOT, 'nodes/lib/bridge.js'), 'utf8')).toMatch(/^process\.env\.ORT_DISABLE_TELEMETRY = '1';$/m);
    expect(readFileSync(join(ROOT, 'hardware/systemd/edge-sentinel.service'), 'utf8')).toMatch(/^Environment=ORT_DISABLE_TELEMETRY=1$/m);
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^ENV ORT_DISABLE_TELEMETRY=1$/m);
  });
});
