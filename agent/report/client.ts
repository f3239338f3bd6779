/**
 * The report's in-page script and stylesheet, inlined by html.ts. Plain ES2017
 * with no imports: it reads the JSON data block and draws one uPlot chart per
 * signal (value, learned baseline band mean ± k·spread, detections) and one
 * for the anomaly score against its threshold, all of an asset's charts
 * sharing cursor and zoom. Labelled windows, the learning phase and alert
 * episodes are shaded by a small draw hook. After drawing it records, per
 * chart, how many canvas pixels were painted (data-ink) so a headless browser
 * test can assert the charts really rendered.
 */
export const REPORT_CSS = String.raw`
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#fff}
header{padding:14px 22px;background:#1f2a3c;color:#eef2f8}
header h1{font-size:19px;margin:0 0 4px}
header .meta{font-size:12.5px;opacity:.85}
header .note{font-size:12.5px;color:#ffd58a;margin-top:4px}
main{padding:6px 22px 30px}
section.asset{margin-top:14px;border-top:2px solid #dfe4ec;padding-top:8px}
section.asset h2{font-size:17px;margin:4px 0}
.counts{font-size:13px;color:#4a5568;margin-bottom:6px}
.key{font-size:12px;color:#4a5568;margin:4px 0 8px}
.key span{display:inline-block;width:12px;height:10px;margin:0 4px 0 12px;vertical-align:middle;border:1px solid #0002}
.chart{margin:2px 0 6px}
.chart .title{font-size:12.5px;font-weight:600;color:#2d3748;margin-left:4px}
table.alerts{border-collapse:collapse;font-size:12.5px;margin:6px 0 10px;width:100%}
table.alerts th,table.alerts td{border-bottom:1px solid #e2e8f0;padding:3px 6px;text-align:left;vertical-align:top}
table.alerts th{background:#f4f6fa}
.u-legend{font-size:11.5px}.u-title{font-size:13px!important}
details{margin:6px 0 12px}details summary{cursor:pointer;font-weight:600;font-size:13px}
.sev-critical{color:#b00020;font-weight:600}.sev-warning{color:#b36b00;font-weight:600}
`;

export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var M = D.meta, T = D.t, k = M.k;
  var charts = [];
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function fmtT(s) { return new Date(s * 1000).toISOString().replace('T', ' ').replace('.000Z', 'Z'); }

  var head = document.getElementById('head');
  head.appendChild(el('h1', null, M.title));
  head.appendChild(el('div', 'meta', M.file + ' \u2014 ' + M.layout + ' layout, ' + M.rows + ' rows, ' + fmtT(T[0]) + ' \u2192 ' + fmtT(T[T.length - 1]) +
    ' \u2014 learning ' + M.learnRows + ' rows \u2014 model ' + M.model + ' \u2014 edge-sentinel ' + M.agentVersion + ' \u2014 generated ' + M.generatedAt));
  head.appendChild(el('div', 'meta', M.stats.decisions + ' decisions (' + M.stats.modelDecisions + ' model, ' + M.stats.fallbackDecisions + ' fallback, ' + M.stats.deadlineMisses + ' deadline misses) in ' + (M.stats.ms / 1000).toFixed(1) + ' s' +
    (M.labelSource ? ' \u2014 labels: ' + M.labelSource : ' \u2014 no labels in this data')));
  if (!M.alertsEnabled) head.appendChild(el('div', 'note', 'The alerts stage was not run: detections only.'));
  else if (M.alertsNote) head.appendChild(el('div', 'note', 'Note: ' + M.alertsNote + '.'));

  // Alert episodes: first open to resolution (or the end of the data).
  function episodes(alerts) {
    var by = {}, out = [];
    alerts.forEach(function (a) {
      var e = by[a.alertId] || (by[a.alertId] = { start: a.firstSeen, end: null, last: a.lastSeen, sev: a.severity });
      e.start = Math.min(e.start, a.firstSeen); e.last = Math.max(e.last, a.lastSeen);
      if (a.state === 'resolved') e.end = a.lastSeen;
      if (a.severity === 'critical') e.sev = 'critical';
    });
    Object.keys(by).forEach(function (id) { var e = by[id]; out.push([e.start, e.end == null ? T[T.length - 1] : Math.max(e.end, e.last)]); });
    return out;
  }

  // Shading under the series: learning phase (grey), labelled windows (amber), alert episodes (red, with a start line).
  function overlay(learnEnd, eps) {
    return { hooks: { drawClear: [function (u) {
      var c = u.ctx, top = u.bbox.top, h = u.bbox.height;
      function band(x0, x1, fill) {
        var a = u.valToPos(x0, 'x', true), b = u.valToPos(x1, 'x', true);
        var l = Math.max(a, u.bbox.left), r = Math.min(b, u.bbox.left + u.bbox.width);
        if (r < l) return;
        c.fillStyle = fill; c.fillRect(l, top, Math.max(r - l, 2), h);
      }
      c.save();
      if (learnEnd != null) band(T[0], learnEnd, 'rgba(100,110,130,0.10)');
      D.labels.forEach(function (w) { band(w[0], w[1], 'rgba(255,170,0,0.22)'); });
      eps.forEach(function (e) {
        band(e[0], e[1], 'rgba(220,30,30,0.10)');
        var x = u.valToPos(e[0], 'x', true);
        if (x >= u.bbox.left && x <= u.bbox.left + u.bbox.width) { c.fillStyle = 'rgba(200,0,0,0.75)'; c.fillRect(x, top, 2, h); }
      });
      c.restore();
    }] } };
  }

  var syncing = false;
  function syncZoom(group) {
    return { hooks: { setScale: [function (u, key) {
      if (key !== 'x' || syncing) return;
      syncing = true;
      group.forEach(function (o) { if (o !== u) o.setScale('x', { min: u.scales.x.min, max: u.scales.x.max }); });
      syncing = false;
    }] } };
  }

  function width() { return Math.max(600, document.getElementById('app').clientWidth - 24); }

  D.assets.forEach(function (A) {
    var sec = el('section', 'asset');
    document.getElementById('app').appendChild(sec);
    var det = A.anomalous.reduce(function (s, x) { return s + x; }, 0);
    var opens = A.alerts.filter(function (a) { return a.state === 'open'; }).length;
    sec.appendChild(el('h2', null, 'Asset ' + A.asset));
    sec.appendChild(el('div', 'counts', A.signals.length + ' signal(s); ' + (A.fromRow == null ? 'still learning at the end of the data' : 'detecting from row ' + A.fromRow + ' (' + fmtT(T[A.fromRow] || T[T.length - 1]) + ')') +
      '; ' + det + ' anomalous row(s); ' + (M.alertsEnabled ? opens + ' alert(s) opened' : 'alerts not run')));
    var key = el('div', 'key');
    key.innerHTML = '<span style="background:rgba(100,110,130,0.25)"></span>learning' +
      '<span style="background:rgba(40,110,200,0.18)"></span>baseline mean \u00b1 ' + k + '\u00b7spread' +
      '<span style="background:#e0245e;border-radius:6px"></span>detection' +
      '<span style="background:rgba(255,170,0,0.45)"></span>labelled anomaly window' +
      '<span style="background:rgba(220,30,30,0.3)"></span>alert episode (red line = opened)';
    sec.appendChild(key);


    var learnEnd = A.fromRow == null ? T[T.length - 1] : T[Math.min(A.fromRow, T.length - 1)];
    var eps = episodes(A.alerts);
    var group = [];
    var common = function (title, h) {
      return { title: title, width: width(), height: h, cursor: { sync: { key: 'asset-' + A.asset }, drag: { x: true, y: false } },
        plugins: [overlay(learnEnd, eps), syncZoom(group)], legend: { live: true } };
    };
    function add(title, opts, data) {
      var box = el('div', 'chart');
      sec.appendChild(box);
      var u = new uPlot(opts, data, box);
      group.push(u); charts.push({ u: u, box: box });
    }

    // Scores span orders of magnitude once something breaks, and may be 0: an asinh axis (linear near 0,
    // logarithmic far from it) keeps both the threshold and the peaks readable.
    var ths = A.threshold.filter(function (x) { return x != null && x > 0; }).sort(function (a, b) { return a - b; });
    var thMid = ths.length ? ths[ths.length >> 1] : 1;
    var sc = A.score, th = A.threshold, sd = A.score.map(function (s, i) { return A.anomalous[i] ? s : null; });
    var o2 = common('anomaly score vs threshold (asinh scale)', 190);
    o2.scales = { y: { distr: 4, asinh: thMid / 10, range: function (u, mn, mx) { return [0, Math.max(mx || 0, thMid * 2)]; } } };
    o2.series = [{},
      { label: 'score', stroke: '#4a5568', width: 1 },
      { label: 'threshold', stroke: '#d69e2e', width: 2, dash: [6, 4] },
      { label: 'detection', stroke: '#e0245e', fill: '#e0245e', paths: function () { return null; }, points: { show: true, size: 5, stroke: '#e0245e', fill: '#e0245e' } }];
    o2.axes = [{}, { size: 60 }];
    add('score', o2, [T, sc, th, sd]);

    A.signals.forEach(function (S) {
      var hasB = S.mean != null && A.fromRow != null;
      var up = [], lo = [], dots = [];
      for (var i = 0; i < T.length; i++) {
        var inB = hasB && i >= A.fromRow;
        up.push(inB ? S.mean + k * S.spread : null);
        lo.push(inB ? S.mean - k * S.spread : null);
        dots.push(A.anomalous[i] && (!A.moved[i] || A.moved[i].length === 0 || A.moved[i].indexOf(S.name) >= 0) ? S.v[i] : null);
      }
      var o = common(S.name, A.signals.length > 4 ? 150 : 200);
      o.series = [{},
        { label: S.name, stroke: '#2b6cb0', width: 1 },
        { label: 'mean+' + k + 'sd', stroke: 'rgba(40,110,200,0.35)', width: 1, dash: [4, 3] },
        { label: 'mean-' + k + 'sd', stroke: 'rgba(40,110,200,0.35)', width: 1, dash: [4, 3] },
        { label: 'detection', stroke: '#e0245e', fill: '#e0245e', paths: function () { return null; }, points: { show: true, size: 5, stroke: '#e0245e', fill: '#e0245e' } }];
      o.bands = [{ series: [2, 3], fill: 'rgba(40,110,200,0.12)' }];
      o.axes = [{}, { size: 60 }];
      add(S.name, o, [T, S.v, up, lo, dots]);
    });

    if (A.alerts.length) {
      var tbl = el('table', 'alerts');
      tbl.innerHTML = '<tr><th>time</th><th>state</th><th>severity</th><th>pattern</th><th>score / threshold</th><th>summary</th></tr>';
      A.alerts.forEach(function (a) {
        var tr = el('tr');
        [fmtT(a.at), a.state, a.severity, a.pattern,
          (a.score == null ? '?' : a.score.toPrecision(3)) + ' / ' + (a.threshold == null ? '?' : a.threshold.toPrecision(3)), a.summary + (a.summarySource ? ' [' + a.summarySource + ']' : '')]
          .forEach(function (v, i) { var td = el('td', i === 2 ? 'sev-' + a.severity : null, v); tr.appendChild(td); });
        tbl.appendChild(tr);
      });
      // Long alert lists stay folded so the charts remain the first thing on screen.
      var box = el('details');
      box.open = A.alerts.length <= 12;
      box.appendChild(el('summary', null, 'Alert transitions (' + A.alerts.length + ') with their summaries'));
      box.appendChild(tbl);
      sec.appendChild(box);
    }
  });

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.u.setSize({ width: width(), height: c.u.height }); }); });

  // Render check for headless tests: painted pixels per chart canvas.
  setTimeout(function () {
    var total = 0;
    charts.forEach(function (c) {
      var cv = c.box.querySelector('canvas'), ink = 0;
      try {
        var d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
        for (var i = 3; i < d.length; i += 16) if (d[i] > 0) ink++;
      } catch (e) { ink = -1; }
      c.box.setAttribute('data-ink', String(ink));
      c.box.setAttribute('data-series', String(c.u.series.length - 1));
      c.box.setAttribute('data-points', String(c.u.data[0].length));
      total++;
    });
    document.body.setAttribute('data-charts', String(total));
    document.body.setAttribute('data-rendered', '1');
  }, 30);
})();
`;
