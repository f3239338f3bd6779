/**
 * The status page's stylesheet and script (plain ES2017, no imports), inlined
 * by page.ts. The script listens on /status/events: a `full` message rebuilds
 * the state, each `delta` appends the closed time buckets and replaces the rest
 * (alerts, health, deadline histogram). One uPlot chart per asset: peak score
 * per bucket against the learned threshold. After each update it writes
 * render facts into the DOM (body data-updates, per chart data-ink = painted
 * canvas pixels) so a headless browser test can check that it really drew.
 */
export const STATUS_CSS = String.raw`
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7fa}
header{padding:12px 22px;background:#1f2a3c;color:#eef2f8}
header h1{font-size:19px;margin:0 0 3px}header .id{font-weight:400;opacity:.85}
header .meta{font-size:12.5px}
.badge{display:inline-block;padding:0 8px;border-radius:9px;font-weight:600;background:#718096;color:#fff}
.badge.ok{background:#2f855a;color:#fff}.badge.bad{background:#c53030;color:#fff}
.conn{font-size:12px;opacity:.8}.conn.live:before{content:"\25CF ";color:#68d391}
main{padding:4px 22px 28px}
section{margin-top:14px}h2{font-size:16px;margin:8px 0 6px}h3{font-size:13.5px;margin:12px 0 4px}
.empty,.note{color:#718096;font-size:12.5px}
table{border-collapse:collapse;font-size:13px;width:100%;background:#fff}
th,td{border-bottom:1px solid #e2e8f0;padding:4px 7px;text-align:left;vertical-align:top}th{background:#edf0f5;font-weight:600}
.sev-critical{color:#b00020;font-weight:600}.sev-warning{color:#b36b00;font-weight:600}.sev-info{color:#2b6cb0}
#assets{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}
.asset{background:#fff;border:1px solid #dfe4ec;border-radius:6px;padding:8px 10px}
.asset h3{margin:0 0 2px;font-size:15px}.asset .counts{font-size:12px;color:#4a5568}
.phase{font-size:11.5px;font-weight:600;padding:1px 7px;border-radius:8px;margin-left:6px;vertical-align:2px}
.phase.learning{background:#fefcbf;color:#744210}.phase.detecting{background:#c6f6d5;color:#22543d}
.bar{height:6px;background:#edf2f7;border-radius:3px;margin:6px 0}.bar div{height:6px;background:#d69e2e;border-radius:3px}
.key .sw{display:inline-block;width:14px;height:3px;margin:0 4px 2px 10px;vertical-align:middle}
.sw.score{background:#2b6cb0}.sw.thr{background:#d69e2e}.sw.anom{background:#e0245e;height:8px;width:8px;border-radius:4px}
.row{display:grid;grid-template-columns:1fr 1fr;gap:18px}@media(max-width:900px){.row{grid-template-columns:1fr}}
.hist{display:flex;align-items:flex-end;gap:4px;height:130px;background:#fff;border:1px solid #dfe4ec;padding:8px 8px 0}
.hist .b{flex:1;display:flex;flex-direction:column;justify-content:flex-end;align-items:center;font-size:10.5px;height:100%}
.hist .b div{width:100%;background:#4a90d9;min-height:1px}.hist .b.over div{background:#e0245e}
.hist-x{display:flex;gap:4px;padding:2px 8px;font-size:10.5px;color:#4a5568}.hist-x span{flex:1;text-align:center}
.lat{font-size:12.5px;margin-top:6px}
.st-ok{color:#2f855a;font-weight:600}.st-degraded{color:#b36b00;font-weight:600}.st-down{color:#c53030;font-weight:600}
#health-events{font-size:12.5px;padding-left:18px;margin:4px 0}
`;

export const STATUS_CLIENT_JS = String.raw`
(function () {
  'use strict';
  var WINDOW_S = 0, assets = {}, charts = {}, updates = 0;
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function short(v) { if (v == null) return ''; var a = Math.abs(v); return a >= 1e6 ? (v / 1e6).toPrecision(2) + 'M' : a >= 1e3 ? (v / 1e3).toPrecision(2) + 'k' : String(+v.toPrecision(3)); }
  function fmtUs(us) { return us >= 1000 ? (us / 1000).toFixed(us >= 10000 ? 0 : 1) + ' ms' : Math.round(us) + ' \u00b5s'; }
  function ago(iso) { var s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000); return s < 90 ? Math.round(s) + ' s' : s < 5400 ? Math.round(s / 60) + ' min' : (s / 3600).toFixed(1) + ' h'; }

  function merge(msg) {
    // A full state (first connect, or a reconnect after an agent restart) replaces everything shown.
    if (msg.type === 'full') {
      assets = {};
      Object.keys(charts).forEach(function (n) { if (charts[n].u) charts[n].u.destroy(); });
      charts = {};
      $('assets').innerHTML = '';
    }
    msg.assets.forEach(function (a) {
      var cur = assets[a.asset];
      if (!cur || msg.type === 'full') { cur = assets[a.asset] = { t: [], score: [], threshold: [], anomalous: [], missed: [] }; }
      ['t', 'score', 'threshold', 'anomalous', 'missed'].forEach(function (k) { cur[k] = cur[k].concat(a.series[k]); });
      var last = cur.t.length ? cur.t[cur.t.length - 1] : 0;
      // Keep the chart to its time span: drop buckets older than the window.
      var cut = 0; while (cut < cur.t.length && cur.t[cut] < last - WINDOW_S) cut++;
      if (cut) ['t', 'score', 'threshold', 'anomalous', 'missed'].forEach(function (k) { cur[k] = cur[k].slice(cut); });
      cur.view = a;
    });
  }

  function renderAlerts(al) {
    $('alert-count').textContent = al.open.length ? '(' + al.open.length + ')' : '';
    var box = $('alert-list'); box.innerHTML = '';
    if (!al.open.length) { box.appendChild(el('p', 'empty', 'none')); }
    else box.appendChild(alertTable(al.open));
    var r = $('resolved-list'); r.innerHTML = '';
    if (al.resolved.length) r.appendChild(alertTable(al.resolved)); else r.appendChild(el('p', 'empty', 'none since the agent started'));
  }
  function alertTable(list) {
    var t = el('table', 'alerts');
    t.innerHTML = '<tr><th>severity</th><th>asset</th><th>pattern</th><th>since</th><th>summary</th></tr>';
    list.forEach(function (a) {
      var tr = el('tr'); tr.setAttribute('data-alert', a.alertId);
      tr.appendChild(el('td', 'sev-' + a.severity, a.severity));
      tr.appendChild(el('td', null, a.asset));
      tr.appendChild(el('td', null, a.pattern.replace(/_/g, ' ')));
      tr.appendChild(el('td', null, a.state === 'resolved' ? 'resolved' : ago(a.firstSeen)));
      tr.appendChild(el('td', 'summary', a.summary + ' [' + a.summarySource + ']'));
      t.appendChild(tr);
    });
    return t;
  }

  function card(name) {
    var c = el('div', 'asset'); c.setAttribute('data-asset', name);
    var h = el('h3', null, name); var ph = el('span', 'phase'); h.appendChild(ph); c.appendChild(h);
    c.appendChild(el('div', 'counts')); var bar = el('div', 'bar'); bar.appendChild(el('div')); c.appendChild(bar);
    var box = el('div', 'chart'); c.appendChild(box);
    $('assets').appendChild(c);
    return { card: c, phase: ph, counts: c.querySelector('.counts'), bar: bar, box: box, u: null };
  }

  function chartOpts(box, thMid) {
    return { width: Math.max(300, box.clientWidth || 400), height: 150, legend: { show: false }, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { distr: 4, asinh: Math.max(thMid / 10, 1e-6), range: function (u, mn, mx) { return [0, Math.max(mx || 0, thMid * 2)]; } } },
      series: [{}, { label: 'score', stroke: '#2b6cb0', width: 1, points: { show: false } }, { label: 'threshold', stroke: '#d69e2e', width: 2, dash: [6, 4], points: { show: false } },
        { label: 'anomalous', stroke: '#e0245e', fill: '#e0245e', paths: function () { return null; }, points: { show: true, size: 5, stroke: '#e0245e', fill: '#e0245e' } }],
      axes: [{ size: 30 }, { size: 56, values: function (u, vals) { return vals.map(short); } }] };
  }

  function renderAssets(msg) {
    var names = Object.keys(assets).sort();
    $('asset-count').textContent = '(' + names.length + ')';
    $('uncharted').textContent = msg.uncharted ? msg.uncharted + ' decisions of assets beyond the charted limit are not shown' : '';
    names.forEach(function (n) {
      var A = assets[n], v = A.view, c = charts[n] || (charts[n] = card(n));
      c.phase.className = 'phase ' + v.phase;
      c.phase.textContent = v.phase === 'learning' ? 'learning ' + Math.min(v.learned, v.learnTarget) + '/' + v.learnTarget : 'detecting';
      c.counts.textContent = v.decisions + ' decisions \u00b7 ' + v.anomalies + ' anomalous \u00b7 ' + v.misses + ' deadline misses';
      c.bar.style.display = v.phase === 'learning' ? '' : 'none';
      c.bar.firstChild.style.width = Math.min(100, (100 * v.learned) / Math.max(1, v.learnTarget)) + '%';
      if (!A.t.length) return;
      var ths = A.threshold.filter(function (x) { return x > 0 && isFinite(x); }).sort(function (a, b) { return a - b; });
      var thMid = ths.length ? ths[ths.length >> 1] : 1;
      var dots = A.score.map(function (s, i) { return A.anomalous[i] > 0 ? s : null; });
      var data = [A.t, A.score, A.threshold.map(function (x) { return isFinite(x) && x > 0 ? x : null; }), dots];
      if (!c.u || Math.abs(c.thMid - thMid) > thMid * 0.5) {
        if (c.u) c.u.destroy();
        c.box.innerHTML = ''; c.thMid = thMid;
        c.u = new uPlot(chartOpts(c.box, thMid), data, c.box);
      } else c.u.setData(data);
    });
  }

  function renderLatency(L, deadlineMs) {
    var box = $('latency'); box.innerHTML = '';
    var max = Math.max.apply(null, L.counts.concat([1])), h = el('div', 'hist'), x = el('div', 'hist-x');
    L.counts.forEach(function (n, i) {
      var lo = i ? L.edgesUs[i - 1] : 0, b = el('div', 'b' + (lo >= deadlineMs * 1000 ? ' over' : ''));
      b.title = n + ' decisions'; b.appendChild(el('span', null, n ? String(n) : ''));
      var bar = el('div'); bar.style.height = (100 * n / max) + '%'; b.appendChild(bar); h.appendChild(b);
      x.appendChild(el('span', null, i < L.edgesUs.length ? '\u2264' + fmtUs(L.edgesUs[i]) : '>' + fmtUs(L.edgesUs[i - 1])));
    });
    box.appendChild(h); box.appendChild(x);
    box.appendChild(el('div', 'lat', 'arrival \u2192 decision over ' + L.count + ' decisions: p50 ' + fmtUs(L.p50) + ', p99 ' + fmtUs(L.p99) +
      ', p99.9 ' + fmtUs(L.p999) + ', max ' + fmtUs(L.max) + ' \u00b7 deadline ' + deadlineMs + ' ms \u00b7 ' + L.misses + ' missed (decided by the fallback)'));
    box.setAttribute('data-misses', String(L.misses));
  }

  // One row per component of the agent's health registry: {state: ok|degraded|down, reason, message, since}.
  function renderHealth(H, events) {
    var o = $('overall'); o.textContent = H.status === 'ok' ? 'healthy' : H.status; o.className = 'badge ' + (H.status === 'ok' ? 'ok' : 'bad');
    var rows = Object.keys(H.components || {}).map(function (k) {
      var c = H.components[k];
      return [k, c.state, [c.state !== 'ok' ? c.reason : '', c.message].filter(Boolean).join(': '), c.since];
    });
    var t = $('health-table'); t.innerHTML = '<tr><th>component</th><th>state</th><th>detail</th></tr>';
    rows.forEach(function (r) {
      var tr = el('tr'); tr.setAttribute('data-component', r[0]); tr.setAttribute('data-state', r[1]);
      tr.appendChild(el('td', null, r[0])); tr.appendChild(el('td', 'st-' + r[1], r[1]));
      var d = el('td', null, r[2] || ''); if (r[3]) d.title = 'since ' + r[3]; tr.appendChild(d); t.appendChild(tr);
    });
    var ul = $('health-events'); ul.innerHTML = '';
    if (!events.length) ul.appendChild(el('li', 'empty', 'none since the agent started'));
    events.slice().reverse().forEach(function (e) {
      ul.appendChild(el('li', e.ok ? 'st-ok' : 'st-down', new Date(e.at).toLocaleTimeString() + ' ' + e.kind + (e.asset ? ' ' + e.asset : '') + ': ' + e.message));
    });
  }

  function inkCheck() {
    Object.keys(charts).forEach(function (n) {
      var c = charts[n]; if (!c.u) return;
      var cv = c.box.querySelector('canvas'), ink = 0;
      try { var d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data; for (var i = 3; i < d.length; i += 16) if (d[i] > 0) ink++; } catch (e) { ink = -1; }
      c.box.setAttribute('data-ink', String(ink)); c.box.setAttribute('data-points', String(c.u.data[0].length));
    });
  }

  function apply(msg) {
    WINDOW_S = msg.agent.windowS;
    merge(msg);
    renderAlerts(msg.alerts);
    renderAssets(msg);
    renderLatency(msg.latency, msg.agent.deadlineMs);
    renderHealth(msg.health, msg.healthEvents);
    inkCheck();
    updates++;
    document.body.setAttribute('data-updates', String(updates));
  }

  function connect() {
    var es = new EventSource('status/events');
    es.addEventListener('full', function (e) { apply(JSON.parse(e.data)); });
    es.addEventListener('delta', function (e) { apply(JSON.parse(e.data)); });
    es.onopen = function () { $('conn').textContent = 'live'; $('conn').className = 'conn live'; document.body.setAttribute('data-connected', '1'); };
    // EventSource reconnects by itself (an agent restart, a dropped link); say so meanwhile.
    es.onerror = function () { $('conn').textContent = 'reconnecting\u2026'; $('conn').className = 'conn'; document.body.setAttribute('data-connected', '0'); };
  }
  window.addEventListener('resize', function () { Object.keys(charts).forEach(function (n) { var c = charts[n]; if (c.u) c.u.setSize({ width: Math.max(300, c.box.clientWidth), height: 150 }); }); });
  connect();
})();
`;
