// One small stylesheet. Colours pass WCAG AA contrast on white; meaning is never carried by colour
// alone (change points have a shape and words, gaps a hatch pattern and a title).

export const CHART_CSS = `
svg { font: 11px system-ui, sans-serif; overflow: visible; }
svg text { fill: #222; }
.axis line, .axis path { stroke: #555; }
.grid { stroke: #ddd; }
.band { fill: #9ecae1; fill-opacity: 0.55; stroke: none; }
.median { fill: none; stroke: #08519c; stroke-width: 1.2; }
.point { fill: #08519c; stroke: #fff; stroke-width: 0.5; cursor: pointer; }
a:focus .point, .point:hover { r: 5; stroke: #000; stroke-width: 1.5; }
.change-point line { stroke: #b30000; stroke-width: 1.5; stroke-dasharray: 4 3; }
.change-point path { fill: #b30000; }
.change-point text { fill: #8a0000; font-weight: 600; }
.coverage .day { fill: #3f7f3f; }
.coverage .day.failed { fill: #999; }
.coverage .hatch { stroke: #b30000; stroke-width: 2; }
.coverage .gap { stroke: #b30000; stroke-width: 0.5; }
.out { display: none; }
`;

export const PAGE_CSS = `
body { font: 15px/1.45 system-ui, sans-serif; color: #111; background: #fff; margin: 0; }
header { background: #0b3d66; color: #fff; padding: 0.6rem 1.2rem; }
header a { color: #fff; }
main { padding: 0.8rem 1.2rem 3rem; max-width: 1100px; }
a { color: #0645ad; }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
td.right, th.right { text-align: right; } td.center, th.center { text-align: center; }
code { font: 13px ui-monospace, monospace; background: #f3f3f3; padding: 0 0.2rem; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: end; background: #f5f7fa; padding: 0.6rem; border: 1px solid #ccd; }
form.filters label { display: flex; flex-direction: column; font-size: 0.85rem; }
.note { color: #444; font-size: 0.9rem; }
.problem { color: #8a0000; font-weight: 600; }
.cp-list { font-size: 0.9rem; }
.downloads { font-size: 0.9rem; }
figure.trend { position: relative; margin: 0.4rem 0; max-width: 1060px; }
figure.trend:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.zoom { display: flex; gap: 0.3rem; margin-bottom: 0.3rem; }
.zoom button { font-size: 0.8rem; }
.trend-tip { position: absolute; top: 2.2rem; z-index: 3; max-width: 250px; white-space: pre-line; pointer-events: none;
  background: #fff; border: 1px solid #555; padding: 0.3rem 0.45rem; font-size: 0.8rem; box-shadow: 0 1px 3px #0003; }
.cp-layer { position: absolute; inset: 0; pointer-events: none; }
.change-point { position: absolute; top: 0; bottom: 0; border-left: 1.5px dashed #b30000; }
.cp-label { position: absolute; top: 2px; left: 4px; white-space: nowrap; font: 600 11px system-ui, sans-serif;
  color: #8a0000; background: #fffd; padding: 0 2px; }
.change-point.second-row .cp-label { top: 16px; }
.change-point.flip .cp-label { left: auto; right: 4px; }
.legend { font-size: 0.85rem; color: #333; }
.key-line { display: inline-block; width: 18px; border-top: 2px solid #08519c; vertical-align: middle; }
.key-band { display: inline-block; width: 18px; height: 10px; background: #9ecae18c; vertical-align: middle; }
${CHART_CSS}`;
