/**
 * The live status page: one HTML document with uPlot, the stylesheet and the
 * page script inlined (no CDN, no external request: the Content-Security-Policy
 * forbids them), built once when the agent starts. The script is in client.ts.
 */
import { uplotAssets } from '../uplot.js';
import { STATUS_CLIENT_JS, STATUS_CSS } from './client.js';

/**
 * Only inline scripts and styles, and requests back to this agent: a page
 * served on a plant network must not pull anything from elsewhere.
 */
export const STATUS_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:";

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** The whole page for one agent. */
export function statusPageHtml(agent: { id: string; version: string; site: string }): string {
  const u = uplotAssets();
  const title = `edge-sentinel · ${agent.id}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="edge-sentinel ${esc(agent.version)} status page; uPlot ${esc(u.version)} (MIT) inlined">
<title>${esc(title)}</title>
<style>${u.css}</style>
<style>${STATUS_CSS}</style>
</head><body data-connected="0" data-updates="0">
<header><h1>edge-sentinel <span class="id">${esc(agent.id)}</span></h1>
<div class="meta">site ${esc(agent.site)} · version ${esc(agent.version)} · <span id="overall" class="badge">connecting…</span> <span id="conn" class="conn">connecting</span></div></header>
<main>
<section id="alerts"><h2>Open alerts <span id="alert-count"></span></h2><div id="alert-list"><p class="empty">none</p></div>
<details id="resolved-box"><summary>Recently resolved</summary><div id="resolved-list"></div></details></section>
<section><h2>Assets <span id="asset-count"></span></h2><p class="key"><span class="sw score"></span>peak score per bucket <span class="sw thr"></span>learned threshold <span class="sw anom"></span>anomalous <span class="note">(asinh scale: linear near 0, logarithmic beyond)</span></p><div id="assets"></div><p id="uncharted" class="note"></p></section>
<section class="row"><div id="deadline"><h2>Deadline</h2><div id="latency"></div></div>
<div id="components"><h2>Health</h2><table id="health-table"></table><h3>Recent health events</h3><ul id="health-events"><li class="empty">none</li></ul></div></section>
</main>
<script>${u.js}</script>
<script>${STATUS_CLIENT_JS}</script>
</body></html>
`;
}
