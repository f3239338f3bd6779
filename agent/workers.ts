import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The entry of a worker thread named `name` next to the module at `base`
 * (its import.meta.url): the compiled `<name>.js` (dist/), or — when running
 * from TS sources (vitest, tsx) — a two-line bootstrap that registers the tsx
 * loader inside the worker and then imports `<name>.ts` (Node 20 workers do
 * not inherit the parent's loader hooks; tsx is a dev dependency, and dist/
 * always has the .js).
 */
export function workerEntry(base: string, name: string): { entry: URL | string; eval: boolean } {
  const js = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(js))) return { entry: js, eval: false };
  const req = createRequire(base);
  const pkgPath = req.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const api = pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api']?.import.default ?? 'dist/esm/api/index.mjs')).href;
  const ts = new URL(`./${name}.ts`, base).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(ts)}, ${JSON.stringify(ts)}));`;
  return { entry: boot, eval: true };
}
