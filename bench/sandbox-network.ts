// What a job's own network costs at its start: an empty job box (`/bin/true` as the runner) started
// and ended through local-sandbox.ts, with the network on (bwrap --unshare-net, slirp4netns attached
// before the runner starts) and off (--unshare-net alone), alternating which goes first.
//
//   npx tsx bench/sandbox-network.ts [--runs 30]
//
// The difference of the medians is the per-job price of slirp4netns: it is paid once per job,
// before the clone, never inside a benchmark's samples (the commands share the job's namespace).

import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareJobSandbox, type SandboxSettings, spawnBox } from '../adapters/executors/local-sandbox.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const RUNS = Number(values.runs);

const settings = (network: boolean): SandboxSettings => ({
  network,
  readOnlyPaths: [],
  hidden: [],
  limits: { processes: 4096, memoryMiB: null },
  path: process.env.PATH,
});

async function boxedTrue(network: boolean): Promise<number> {
  const jobDir = await mkdtemp(join(tmpdir(), 'benchbot-sandbox-network-'));
  try {
    const box = await prepareJobSandbox({
      settings: settings(network),
      jobKey: 'bench',
      jobDir,
      ownedPaths: [],
      repositoryUrl: '',
      command: ['/bin/true'],
    });
    const started = performance.now();
    const child = spawnBox(box, { PATH: process.env.PATH ?? '/usr/bin:/bin' }, 'ignore');
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    const elapsed = performance.now() - started;
    if (code !== 0)
      throw new Error(`the box (network ${network ? 'on' : 'off'}) exited with ${code}: ${stderr}`);
    return elapsed;
  } finally {
    await rm(jobDir, { recursive: true, force: true });
  }
}

const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};

const times = { on: [] as number[], off: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  const order = i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
  for (const mode of order) times[mode].push(await boxedTrue(mode === 'on'));
  if ((i + 1) % 10 === 0) process.stderr.write(`${i + 1}/${RUNS} pairs\n`);
}
const row = (mode: 'on' | 'off') =>
  `| ${mode} | ${quantile(times[mode], 0.5).toFixed(2)} ms | ${quantile(times[mode], 0.1).toFixed(2)}–${quantile(times[mode], 0.9).toFixed(2)} ms |`;
console.log('| network | median job box start+end | p10–p90 |');
console.log('|---|---:|---:|');
console.log(row('on'));
console.log(row('off'));
const added = times.on.map((t, i) => t - (times.off[i] as number));
console.log(
  `\nper job, network on minus off (same pair): median ${quantile(added, 0.5).toFixed(2)} ms, p10–p90 ${quantile(added, 0.1).toFixed(2)}–${quantile(added, 0.9).toFixed(2)} ms; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
