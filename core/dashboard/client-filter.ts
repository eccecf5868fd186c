// The static export's filters run in the browser (a page opened from file:// cannot ask a server).
// The same rules as filters.ts: name substring, UTC days inclusive, commit range A..B as a time
// window from the run that measured A to the one that measured B. A time window is the charts'
// zoom (window.BENCHBOT_CHARTS); a commit range first loads the detail script, which names every
// run's commits.

export const CLIENT_FILTER_SCRIPT = `(function () {
  var source = document.getElementById('benchbot-trends');
  var form = document.getElementById('filters');
  var status = document.getElementById('filter-status');
  if (!form || !source) return;
  var page = JSON.parse(source.textContent);
  var runTimes = [], t = 0;
  (page.runGaps || []).forEach(function (gap) { t += gap; runTimes.push(page.t0 + t * 1000); });
  var params = new URLSearchParams(location.search);
  ['benchmark', 'from', 'to', 'commits'].forEach(function (name) {
    if (params.get(name)) form.elements[name].value = params.get(name);
  });
  function windowOf(values, detail) {
    var from = -Infinity, to = Infinity;
    if (values.from) from = Date.parse(values.from + 'T00:00:00Z');
    if (values.to) to = Date.parse(values.to + 'T00:00:00Z') + 86400000 - 1;
    if (isNaN(from) || isNaN(to)) return { problem: 'write dates as YYYY-MM-DD' };
    var commits = values.commits.trim().toLowerCase();
    if (commits) {
      var parts = commits.split('..');
      var a = parts[0], b = parts.length > 1 ? parts[1] : parts[0];
      // The detail's runs in time order, with when each ran (from the charts that measured it).
      var runs = detail.runs.map(function (r, i) { return { sha: r[1], from: r[2], t: null, i: i }; });
      detail.charts.forEach(function (c) { c.run.forEach(function (r, j) { runs[r].t = page.t0 + c.t[j] * 1000; }); });
      runs.sort(function (x, y) { return x.t - y.t; });
      var hit = function (r, prefix) { return r.sha.indexOf(prefix) === 0 || (r.from !== null && r.from.indexOf(prefix) === 0); };
      if (a) {
        var first = runs.find(function (r) { return hit(r, a); });
        if (!first) return { problem: 'no run in this series measured commit ' + a };
        from = Math.max(from, first.t);
      }
      if (b) {
        var last = null;
        runs.forEach(function (r) { if (hit(r, b)) last = r; });
        if (!last) return { problem: 'no run in this series measured commit ' + b };
        to = Math.min(to, last.t);
      }
    }
    return { from: from, to: to };
  }
  function apply() {
    var values = { benchmark: form.elements.benchmark.value.trim().toLowerCase(), from: form.elements.from.value,
      to: form.elements.to.value, commits: form.elements.commits.value };
    if (values.commits.trim() && window.BENCHBOT_LOAD_DETAIL) {
      window.BENCHBOT_LOAD_DETAIL(function (detail) { show(values, windowOf(values, detail)); });
    } else {
      show(values, windowOf(values, null));
    }
  }
  function show(values, w) {
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
    (window.BENCHBOT_CHARTS || []).forEach(function (chart) { chart.setWindow(w.from / 1000, w.to / 1000); });
    var inRange = runTimes.filter(function (r) { return r >= w.from && r <= w.to; }).length;
    status.textContent = shown + ' benchmarks, ' + inRange + ' of ' + runTimes.length + ' runs in the selected range.';
  }
  form.addEventListener('input', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); apply(); });
  apply();
})();`;
