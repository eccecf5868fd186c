// The static export's filters run in the browser (a page opened from file:// cannot ask a server).
// The same rules as filters.ts: name substring, UTC days inclusive, commit range A..B as a time
// window from the run that measured A to the one that measured B. Charts keep their axes; what is
// outside the window is hidden (points, change points) or shaded (the plot area).

export const CLIENT_FILTER_SCRIPT = `(function () {
  var runs = window.BENCHBOT_RUNS || [];
  var form = document.getElementById('filters');
  var status = document.getElementById('filter-status');
  if (!form) return;
  var params = new URLSearchParams(location.search);
  ['benchmark', 'from', 'to', 'commits'].forEach(function (name) {
    if (params.get(name)) form.elements[name].value = params.get(name);
  });
  function windowOf(values) {
    var from = -Infinity, to = Infinity;
    if (values.from) from = Date.parse(values.from + 'T00:00:00Z');
    if (values.to) to = Date.parse(values.to + 'T00:00:00Z') + 86400000 - 1;
    if (isNaN(from) || isNaN(to)) return { problem: 'write dates as YYYY-MM-DD' };
    var commits = values.commits.trim().toLowerCase();
    if (commits) {
      var parts = commits.split('..');
      var a = parts[0], b = parts.length > 1 ? parts[1] : parts[0];
      var hit = function (r, prefix) { return r[1].indexOf(prefix) === 0 || (r[2] !== null && r[2].indexOf(prefix) === 0); };
      if (a) {
        var first = runs.find(function (r) { return hit(r, a); });
        if (!first) return { problem: 'no run in this series measured commit ' + a };
        from = Math.max(from, first[0]);
      }
      if (b) {
        var last = null;
        runs.forEach(function (r) { if (hit(r, b)) last = r; });
        if (!last) return { problem: 'no run in this series measured commit ' + b };
        to = Math.min(to, last[0]);
      }
    }
    return { from: from, to: to };
  }
  function shade(svg, w) {
    var t0 = +svg.dataset.t0, t1 = +svg.dataset.t1, x0 = +svg.dataset.x0, x1 = +svg.dataset.x1;
    var x = function (t) { return Math.max(x0, Math.min(x1, x0 + (t - t0) / (t1 - t0 || 1) * (x1 - x0))); };
    svg.querySelectorAll('rect.outside').forEach(function (r) { r.remove(); });
    [[x0, x(w.from)], [x(w.to), x1]].forEach(function (span) {
      if (span[1] - span[0] < 0.5) return;
      var r = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
      r.setAttribute('class', 'outside');
      r.setAttribute('x', span[0]); r.setAttribute('width', span[1] - span[0]);
      r.setAttribute('y', 0); r.setAttribute('height', svg.viewBox.baseVal.height);
      svg.insertBefore(r, svg.querySelector('.band'));
    });
  }
  function apply() {
    var values = { benchmark: form.elements.benchmark.value.trim().toLowerCase(), from: form.elements.from.value,
      to: form.elements.to.value, commits: form.elements.commits.value };
    var w = windowOf(values);
    if (w.problem) { status.textContent = 'Filter not applied: ' + w.problem + '.'; return; }
    var shown = 0;
    document.querySelectorAll('section.benchmark').forEach(function (section) {
      var hide = values.benchmark !== '' && section.dataset.benchmark.indexOf(values.benchmark) === -1;
      section.hidden = hide;
      if (!hide) shown++;
    });
    document.querySelectorAll('[data-t]').forEach(function (el) {
      var t = +el.dataset.t;
      el.classList.toggle('out', t < w.from || t > w.to);
    });
    document.querySelectorAll('[data-day]').forEach(function (el) {
      var t = Date.parse(el.dataset.day + 'T00:00:00Z');
      el.classList.toggle('out', t + 86400000 - 1 < w.from || t > w.to);
    });
    document.querySelectorAll('svg.trend').forEach(function (svg) { shade(svg, w); });
    var inRange = runs.filter(function (r) { return r[0] >= w.from && r[0] <= w.to; }).length;
    status.textContent = shown + ' benchmarks, ' + inRange + ' of ' + runs.length + ' runs in the selected range.';
  }
  form.addEventListener('input', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); apply(); });
  apply();
})();`;
