// How long a report's profile table costs the worker: decoding (gunzip + pprof-format), summing per
// function and diffing two CPU profiles, for profiles from small to far larger than a benchmark's.
//
//   npx tsx bench/profile-diff.ts [--reps 5]
//
// Synthetic profiles, seeded: F functions, stacks of depth D drawn from them (every tenth sample
// recursive), S distinct samples; the changed side drops one function. Times are the median of
// --reps runs after a warm-up; the machine is shared.

import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import {
  Line,
  Location,
  Function as PprofFunction,
  Profile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format';
import { diffProfileData } from '../adapters/profiles/decode.js';
import { createRng } from './lib/prng.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 5) || 5;

function makeProfile(functions: number, samples: number, depth: number, seed: number, drop: number | null) {
  const rng = createRng(seed);
  const strings = new StringTable();
  const fns = Array.from(
    { length: functions },
    (_, i) => new PprofFunction({ id: i + 1, name: strings.dedup(`pkg${i % 50}.Function${i}`) }),
  );
  const locations = fns.map((f, i) => new Location({ id: i + 1, line: [new Line({ functionId: f.id })] }));
  const pick = () => {
    let id = 1 + Math.floor(rng.uniform() * functions);
    if (id === drop) id = (id % functions) + 1;
    return id;
  };
  const sample = Array.from({ length: samples }, (_, s) => {
    const stack = Array.from({ length: depth }, pick);
    if (s % 10 === 0) stack.push(stack[0] as number, stack[0] as number);
    return new Sample({ locationId: stack, value: [1 + Math.floor(rng.uniform() * 5), 10_000_000] });
  });
  const profile = new Profile({
    sampleType: [
      new ValueType({ type: strings.dedup('samples'), unit: strings.dedup('count') }),
      new ValueType({ type: strings.dedup('cpu'), unit: strings.dedup('nanoseconds') }),
    ],
    function: fns,
    location: locations,
    sample,
    stringTable: strings,
  });
  return gzipSync(profile.encode());
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

console.log(
  `decode + summarize + diff (top 10) of two gzipped CPU profiles; median of ${reps} runs after a warm-up`,
);
console.log('functions  samples  depth  gzipped KiB/side  time ms  [min-max]');
for (const [functions, samples, depth] of [
  [500, 2_000, 20],
  [5_000, 20_000, 30],
  [20_000, 200_000, 40],
] as const) {
  const baseline = makeProfile(functions, samples, depth, 1, null);
  const changed = makeProfile(functions, samples, depth, 2, 7);
  const run = () => {
    const t = performance.now();
    const result = diffProfileData({ data: baseline, name: 'a' }, { data: changed, name: 'b' }, { top: 10 });
    if (!result.ok) throw new Error(result.error);
    return performance.now() - t;
  };
  run();
  const times = Array.from({ length: reps }, run);
  console.log(
    `${String(functions).padStart(9)}  ${String(samples).padStart(7)}  ${String(depth).padStart(5)}  ${(baseline.length / 1024).toFixed(0).padStart(16)}  ${median(times).toFixed(0).padStart(7)}  [${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)}]`,
  );
}
