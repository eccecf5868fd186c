import { downsampleColumns } from './downsample.js';

// The series page's charts in the browser: uPlot (a canvas chart made for long time series,
// bundled with benchbot and served or exported beside the pages) draws each chart's overview from
// the JSON in the page; the first hover, zoom or commit filter loads the detail script (every run,
// its commits and its page), after which a zoomed range is redrawn at full detail. Drag across a
// chart to zoom, double-click to zoom out; the buttons and the arrow keys do the same without a
// mouse. Change points are text with a triangle (▲ up, ▼ down) over the plot, not colour alone.
//
// window.BENCHBOT_CHARTS lets the export's filters (and the tests) set a chart's time window.

export const CLIENT_CHART_SCRIPT = `(function () {
  var source = document.getElementById('benchbot-trends');
  if (!source || typeof uPlot === 'undefined') return;
  var page = JSON.parse(source.textContent);
  var downsample = ${downsampleColumns.toString()};
  var detail = null, waiting = null;
  function loadDetail(then) {
    if (detail) { then(detail); return; }
    if (waiting) { waiting.push(then); return; }
    waiting = [then];
    var script = document.createElement('script');
    script.src = page.detail;
    script.onload = function () {
      detail = window.BENCHBOT_DETAIL;
      var calls = waiting; waiting = null;
      calls.forEach(function (f) { f(detail); });
    };
    script.onerror = function () { waiting = null; };
    document.head.appendChild(script);
  }
  window.BENCHBOT_LOAD_DETAIL = loadDetail;
  function sig3(x) {
    if (x === 0) return '0';
    var text = x.toPrecision(3);
    return text.indexOf('e') !== -1 && Math.abs(x) >= 1 ? x.toFixed(0) : text;
  }
  function when(seconds) { return new Date((page.t0 / 1000 + seconds) * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'; }
  function filled(band, median) { return band.map(function (v, i) { return v === null ? median[i] : v; }); }
  function nearest(ts, t) {
    var lo = 0, hi = ts.length - 1;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (ts[mid] < t) lo = mid + 1; else hi = mid; }
    return lo;
  }
  // Indexed as the detail's charts; a series without runs in the page's range has no figure.
  window.BENCHBOT_CHARTS = page.charts.map(function (c, k) {
    var figure = document.getElementById(c.id);
    if (!figure || c.t.length === 0) return null;
    var plot = figure.querySelector('.trend-plot');
    var tip = figure.querySelector('.trend-tip');
    var fmt = function (v) { return v === null || v === undefined ? 'unbounded' : sig3(v / c.scale.factor) + ' ' + c.scale.symbol; };
    var xs = c.t.map(function (t) { return page.t0 / 1000 + t; });
    // One run alone still gets a day of axis around it.
    var full = xs[0] === xs[xs.length - 1] ? [xs[0] - 43200, xs[0] + 43200] : [xs[0], xs[xs.length - 1]];
    var overview = [xs, c.median, filled(c.hi, c.median), filled(c.lo, c.median)];
    // What each drawn point is: ['o', i] a point of the overview, ['d', i] a point of the detail.
    var drawn = { kind: 'o', index: null };
    // The range the data was last chosen for: new data re-sets the scale, which must not loop.
    var chosenFor = [full[0], full[1]];
    var u;
    function detailXs(d) { return d.xs || (d.xs = d.t.map(function (t) { return page.t0 / 1000 + t; })); }
    function redraw() {
      var min = u.scales.x.min, max = u.scales.x.max;
      var whole = min <= full[0] && max >= full[1];
      if (whole || !detail) {
        if (drawn.kind !== 'o') { drawn = { kind: 'o', index: null }; chosenFor = [min, max]; u.setData(overview); }
        return;
      }
      if (drawn.kind === 'd' && chosenFor[0] === min && chosenFor[1] === max) return;
      var d = detail.charts[k], dx = detailXs(d);
      var kept = downsample(dx, d.median, d.lo, d.hi, min, max, Math.max(1, Math.round(u.bbox.width / devicePixelRatio)));
      var data = [kept.index.map(function (i) { return dx[i]; }), kept.index.map(function (i) { return d.median[i]; })];
      data.push(filled(kept.hi, data[1]), filled(kept.lo, data[1]));
      drawn = { kind: 'd', index: kept.index };
      chosenFor = [min, max];
      u.setData(data);
    }
    function pointAt(idx) {
      if (idx === null || idx === undefined || idx >= u.data[0].length) return null;
      if (drawn.kind === 'd') return drawn.index[idx] === undefined ? null : { d: drawn.index[idx] };
      var o = { t: c.t[idx], median: c.median[idx], lo: c.lo[idx], hi: c.hi[idx] };
      if (detail) { var d = detail.charts[k]; var j = nearest(d.t, o.t); if (d.t[j] === o.t) return { d: j }; }
      return { o: o };
    }
    function describe(p) {
      if (p.o) return when(p.o.t) + '\\nmedian ' + fmt(p.o.median) + ', 95% CI ' + fmt(p.o.lo) + ' – ' + fmt(p.o.hi) + '\\n(loading the commit…)';
      var d = detail.charts[k], i = p.d, run = detail.runs[d.run[i]];
      var commits = run[2] === null ? 'commit ' + run[1].slice(0, 10) : 'commits ' + run[2].slice(0, 10) + '..' + run[1].slice(0, 10) + (run[3] === null ? '' : ' (' + run[3] + ' commits)');
      var ci = d.lo[i] === null || d.hi[i] === null ? 'CI unbounded (too few samples)' : '95% CI ' + fmt(d.lo[i]) + ' – ' + fmt(d.hi[i]);
      return run[1].slice(0, 10) + ' · ' + when(d.t[i]) + ' · ' + run[4] + '\\n' + commits + '\\nmedian ' + fmt(d.median[i]) + ', ' + ci + ', n=' + d.n[i];
    }
    function showTip() {
      var p = pointAt(u.cursor.idx);
      if (!p) { tip.hidden = true; return; }
      if (p.o) loadDetail(function () { if (!tip.hidden) showTip(); });
      tip.textContent = describe(p);
      tip.hidden = false;
      var left = u.valToPos(u.data[0][u.cursor.idx], 'x');
      tip.style.left = Math.min(left + 12, plot.clientWidth - 260) + 'px';
    }
    function markers() {
      var layer = u.over.querySelector('.cp-layer');
      if (!layer) { layer = document.createElement('div'); layer.className = 'cp-layer'; u.over.appendChild(layer); }
      layer.textContent = '';
      c.changePoints.forEach(function (cp, n) {
        var x = u.valToPos(page.t0 / 1000 + cp.t, 'x');
        if (x < 0 || x > u.over.clientWidth) return;
        var mark = document.createElement('div');
        mark.className = 'change-point' + (n % 2 ? ' second-row' : '') + (x > u.over.clientWidth - 150 ? ' flip' : '');
        mark.style.left = x + 'px';
        mark.title = cp.title;
        var label = document.createElement('span');
        label.className = 'cp-label';
        label.textContent = (cp.up ? '▲ ' : '▼ ') + cp.label;
        mark.appendChild(label);
        layer.appendChild(mark);
      });
    }
    u = new uPlot({
      width: Math.max(320, plot.clientWidth),
      height: 260,
      // x never auto-ranges: new data for a zoomed range keeps the range and re-ranges y.
      scales: { x: { time: true, auto: false, min: full[0], max: full[1] } },
      series: [
        {},
        { label: 'median', stroke: '#08519c', width: 1.2,
          points: { show: function (self) { return self.data[0].length < self.bbox.width / devicePixelRatio / 4; }, size: 6, fill: '#08519c' } },
        { label: '95% CI high', stroke: 'rgba(0,0,0,0)', points: { show: false } },
        { label: '95% CI low', stroke: 'rgba(0,0,0,0)', points: { show: false } },
      ],
      bands: [{ series: [2, 3], fill: 'rgba(158,202,225,0.55)' }],
      axes: [{}, { size: 70, values: function (self, ticks) { return ticks.map(function (v) { return fmt(v); }); } }],
      // The figure's caption is the legend; the tooltip shows the values.
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      hooks: {
        // After uPlot has finished with the new range (new data inside its hook would be drawn
        // with the old range's indices).
        setScale: [function (self, key) { if (key === 'x') setTimeout(function () {
          var min = self.scales.x.min, max = self.scales.x.max;
          if (!(min <= full[0] && max >= full[1])) loadDetail(function () { redraw(); });
          else redraw();
        }, 0); }],
        draw: [markers],
        setCursor: [showTip],
      },
    }, overview, plot);
    var down = null;
    u.over.addEventListener('mousedown', function (e) { down = [e.clientX, e.clientY]; });
    u.over.addEventListener('mouseenter', function () { loadDetail(function () {}); });
    u.over.addEventListener('mouseleave', function () { tip.hidden = true; });
    function open() {
      var p = pointAt(u.cursor.idx);
      if (!p) return;
      loadDetail(function (d) { var q = p.d === undefined ? pointAt(u.cursor.idx) : p; if (q && q.d !== undefined) location.href = d.runs[d.charts[k].run[q.d]][0]; });
    }
    u.over.addEventListener('click', function (e) {
      if (down && Math.abs(e.clientX - down[0]) < 4 && Math.abs(e.clientY - down[1]) < 4) open();
    });
    function setWindow(min, max) {
      min = Math.max(full[0], min); max = Math.min(full[1], max);
      if (!(max > min)) { min = full[0]; max = full[1]; }
      u.setScale('x', { min: min, max: max });
    }
    function zoom(factor, shift) {
      var min = u.scales.x.min, max = u.scales.x.max, width = max - min, centre = (min + max) / 2 + shift * width;
      var half = Math.min((full[1] - full[0]) / 2, width * factor / 2);
      centre = Math.max(full[0] + half, Math.min(full[1] - half, centre));
      setWindow(centre - half, centre + half);
    }
    figure.querySelectorAll('button[data-zoom]').forEach(function (button) {
      button.addEventListener('click', function () {
        var how = button.dataset.zoom;
        if (how === 'in') zoom(0.5, 0); else if (how === 'out') zoom(2, 0);
        else if (how === 'earlier') zoom(1, -0.5); else if (how === 'later') zoom(1, 0.5);
        else setWindow(full[0], full[1]);
      });
    });
    // Keyboard: left/right walk the drawn points with their tooltip, Enter opens the run.
    figure.addEventListener('keydown', function (e) {
      if (e.target !== figure) return;
      var n = u.data[0].length, idx = u.cursor.idx;
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        idx = idx === null || idx === undefined ? (e.key === 'ArrowRight' ? 0 : n - 1) : Math.max(0, Math.min(n - 1, idx + (e.key === 'ArrowRight' ? 1 : -1)));
        u.setCursor({ left: u.valToPos(u.data[0][idx], 'x'), top: u.valToPos(u.data[1][idx], 'y') });
        e.preventDefault();
      } else if (e.key === 'Enter') { open(); e.preventDefault(); }
    });
    return { id: c.id, plot: u, setWindow: setWindow, full: full, drawn: function () { return drawn; } };
  }).filter(function (chart) { return chart !== null; });
})();`;
