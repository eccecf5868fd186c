import type { Profile } from 'pprof-format';

// What a pprof profile says per function: flat (samples whose leaf frame is the function) and
// cumulative (samples whose stack contains it). A recursive function counts once per sample in its
// cumulative value, as `go tool pprof` counts it, so no function ever exceeds 100%.

export interface FunctionCost {
  flat: number;
  cum: number;
}

export interface ProfileSummary {
  /** The sample type the values are of, e.g. `cpu`. */
  sampleType: string;
  /** Its unit as the profile names it, e.g. `nanoseconds`. */
  unit: string;
  /** Every sample's value of that type, focused or not (percentages are of this). */
  total: number;
  functions: Map<string, FunctionCost>;
}

export interface SummaryOptions {
  /** The sample type to read; default `cpu` when present, else the profile's default type. */
  sampleType?: string;
  /** Only samples with a frame whose function name matches (as `pprof -focus`). */
  focus?: RegExp;
}

export type SummaryResult = { ok: true; summary: ProfileSummary } | { ok: false; error: string };

// Types worth preferring for "CPU": Go writes `cpu`, @datadog/pprof writes `cpu` when asked and
// `wall` otherwise.
const CPU_TYPES = ['cpu', 'wall'];

function sampleTypeIndex(
  profile: Profile,
  strings: readonly string[],
  wanted: string | undefined,
): { index: number } | { error: string } {
  const names = profile.sampleType.map((t) => strings[Number(t.type)] ?? '');
  if (names.length === 0) return { error: 'the profile declares no sample types' };
  if (wanted !== undefined) {
    const index = names.indexOf(wanted);
    return index >= 0 ? { index } : { error: `no sample type ${wanted}; it has ${names.join(', ')}` };
  }
  for (const name of CPU_TYPES) if (names.includes(name)) return { index: names.indexOf(name) };
  const fallback = strings[Number(profile.defaultSampleType)] ?? '';
  // pprof's own rule: without a default type, the last one is the default.
  const index = fallback !== '' && names.includes(fallback) ? names.indexOf(fallback) : names.length - 1;
  return { index };
}

/** Per-function flat and cumulative values of one sample type. */
export function summarizeProfile(profile: Profile, options: SummaryOptions = {}): SummaryResult {
  const strings = profile.stringTable.strings;
  const picked = sampleTypeIndex(profile, strings, options.sampleType);
  if ('error' in picked) return { ok: false, error: picked.error };
  const type = profile.sampleType[picked.index];
  // Functions by name (two ids may share one), as small integers: a profile has up to hundreds of
  // thousands of samples, and typed arrays keep summing them to a fraction of a second.
  const names: string[] = [];
  const indexOfName = new Map<string, number>();
  const nameIndex = (name: string) => {
    let index = indexOfName.get(name);
    if (index === undefined) {
      index = names.push(name) - 1;
      indexOfName.set(name, index);
    }
    return index;
  };
  const functionIndex = new Map<number, number>();
  for (const f of profile.function) {
    const name = strings[Number(f.name)] || strings[Number(f.systemName)] || `function ${String(f.id)}`;
    functionIndex.set(Number(f.id), nameIndex(name));
  }
  // A location's lines are its inlined frames, innermost first; one without lines is unsymbolized.
  const frames = new Map<number, number[]>();
  for (const location of profile.location) {
    const own = location.line.map((l) => functionIndex.get(Number(l.functionId)) ?? nameIndex('?'));
    frames.set(
      Number(location.id),
      own.length > 0 ? own : [nameIndex(`0x${BigInt(location.address).toString(16)}`)],
    );
  }
  const stacks = profile.sample.map((sample) =>
    sample.locationId.flatMap((id) => frames.get(Number(id)) ?? [nameIndex(`location ${String(id)}`)]),
  );
  const focused = names.map((name) => options.focus === undefined || options.focus.test(name));
  const flat = new Float64Array(names.length);
  const cum = new Float64Array(names.length);
  // The sample that last added to a function's cumulative value: recursion counts once.
  const seen = new Int32Array(names.length).fill(-1);
  let total = 0;
  for (const [s, sample] of profile.sample.entries()) {
    const value = Number(sample.value[picked.index] ?? 0);
    const stack = stacks[s] as number[];
    if (value === 0) continue;
    total += value;
    if (options.focus !== undefined && !stack.some((i) => focused[i])) continue;
    const leaf = stack[0];
    if (leaf !== undefined) flat[leaf] = (flat[leaf] as number) + value;
    for (const i of stack) {
      if (seen[i] === s) continue;
      seen[i] = s;
      cum[i] = (cum[i] as number) + value;
    }
  }
  const functions = new Map<string, FunctionCost>();
  for (const [i, name] of names.entries())
    if ((cum[i] as number) > 0) functions.set(name, { flat: flat[i] as number, cum: cum[i] as number });
  return {
    ok: true,
    summary: {
      sampleType: strings[Number(type?.type)] ?? '',
      unit: strings[Number(type?.unit)] ?? '',
      total,
      functions,
    },
  };
}
