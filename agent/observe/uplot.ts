/**
 * uPlot's minified bundle and stylesheet, read from node_modules to be inlined
 * into a self-contained page (the replay report, the live status page): no CDN,
 * nothing fetched at view time, so both work on a gateway without internet.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** uPlot's JS (~50 KB), CSS and version; read on each call (callers cache what they build). */
export function uplotAssets(): { js: string; css: string; version: string } {
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const version = (JSON.parse(readFileSync(require.resolve('uplot/package.json'), 'utf8')) as { version: string }).version;
  return { js, css, version };
}
