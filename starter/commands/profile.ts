import { readFile } from 'node:fs/promises';
import { diffProfileData } from '../../adapters/profiles/decode.js';
import { renderProfileDiffJson, renderProfileDiffMarkdown } from '../../core/profile/render.js';

export interface RawProfileDiffOptions {
  top: string;
  focus?: string;
  sampleType?: string;
  format: string;
}

const FORMATS = ['markdown', 'json'] as const;

type Checked = { top: number; focus?: RegExp; sampleType?: string; format: (typeof FORMATS)[number] };

function checkOptions(raw: RawProfileDiffOptions): Checked | string {
  const top = Number(raw.top);
  if (!Number.isInteger(top) || top < 1) return `--top ${raw.top}: use a whole number of 1 or more, e.g. 10`;
  if (!(FORMATS as readonly string[]).includes(raw.format))
    return `--format ${raw.format}: use one of ${FORMATS.join(', ')}`;
  let focus: RegExp | undefined;
  if (raw.focus !== undefined) {
    try {
      focus = new RegExp(raw.focus);
    } catch (error) {
      return `--focus ${raw.focus}: not a regular expression (${(error as Error).message})`;
    }
  }
  return {
    top,
    format: raw.format as Checked['format'],
    ...(focus === undefined ? {} : { focus }),
    ...(raw.sampleType === undefined ? {} : { sampleType: raw.sampleType }),
  };
}

async function readProfile(file: string): Promise<{ data: Uint8Array; name: string } | string> {
  try {
    return { data: await readFile(file), name: file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(error);
    return `${file}: cannot read it (${why}); pass the path of a pprof profile`;
  }
}

/** `benchbot profile diff BASE CHANGED`: prints the diff; exit 0, or 2 with the problem on stderr. */
export async function profileDiff(basePath: string, changedPath: string, raw: RawProfileDiffOptions) {
  const options = checkOptions(raw);
  if (typeof options === 'string') {
    console.error(`benchbot profile diff: ${options}`);
    return 2;
  }
  const [baseline, changed] = await Promise.all([readProfile(basePath), readProfile(changedPath)]);
  for (const side of [baseline, changed]) {
    if (typeof side === 'string') {
      console.error(side);
      return 2;
    }
  }
  const result = diffProfileData(
    baseline as Exclude<typeof baseline, string>,
    changed as Exclude<typeof changed, string>,
    options,
  );
  if (!result.ok) {
    console.error(result.error);
    return 2;
  }
  process.stdout.write(
    options.format === 'json'
      ? renderProfileDiffJson(result.diff)
      : `${renderProfileDiffMarkdown(result.diff)}\n`,
  );
  return 0;
}
