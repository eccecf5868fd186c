import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// The chart library the series pages load: uPlot (MIT), from node_modules, served by the dashboard
// server under /assets/ and copied into a static export's assets/ folder, so a page never needs
// the network and an export opens from file://.

const resolve = createRequire(import.meta.url).resolve;

export interface ChartAsset {
  name: string;
  type: string;
  path: string;
}

export const CHART_ASSETS = {
  script: {
    name: 'uPlot.iife.min.js',
    type: 'text/javascript; charset=utf-8',
    path: resolve('uplot/dist/uPlot.iife.min.js'),
  },
  stylesheet: {
    name: 'uPlot.min.css',
    type: 'text/css; charset=utf-8',
    path: resolve('uplot/dist/uPlot.min.css'),
  },
} satisfies Record<'script' | 'stylesheet', ChartAsset>;

/** The assets' addresses: under `/assets/` on the server, under `assets/` in an export. */
export const assetLinks = (base: '/assets/' | 'assets/') => ({
  script: `${base}${CHART_ASSETS.script.name}`,
  stylesheet: `${base}${CHART_ASSETS.stylesheet.name}`,
});

const contents = new Map<string, string>();

/** An asset's text by file name, read once; undefined for a name that is not one. */
export function chartAsset(name: string): { type: string; text: string } | undefined {
  const asset = Object.values(CHART_ASSETS).find((a) => a.name === name);
  if (asset === undefined) return undefined;
  let text = contents.get(name);
  if (text === undefined) {
    text = readFileSync(asset.path, 'utf8');
    contents.set(name, text);
  }
  return { type: asset.type, text };
}
