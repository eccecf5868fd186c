import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { type DiffResult, diffProfiles } from '../../core/profile/diff.js';
import { type ProfileSummary, summarizeProfile } from '../../core/profile/summary.js';

// pprof files are protobuf, gzipped as `go test -cpuprofile` and most producers write them; some
// tools write them plain. Decoding is pprof-format's; this only unwraps the gzip.

const MAX_DECOMPRESSED = 512 * 1024 * 1024;

export type DecodedProfile = { ok: true; profile: Profile } | { ok: false; error: string };

export function decodeProfile(data: Uint8Array, name: string): DecodedProfile {
  let bytes = data;
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      bytes = gunzipSync(data, { maxOutputLength: MAX_DECOMPRESSED });
    } catch (error) {
      return { ok: false, error: `${name}: not a readable gzip file (${(error as Error).message})` };
    }
  }
  try {
    const profile = Profile.decode(bytes);
    if (profile.sampleType.length === 0) throw new Error('no sample types');
    return { ok: true, profile };
  } catch (error) {
    return {
      ok: false,
      error: `${name}: not a pprof profile (${(error as Error).message}); expected the gzipped protobuf that \`go test -cpuprofile\` or runtime/pprof writes`,
    };
  }
}

export interface DiffOptions {
  top: number;
  focus?: RegExp;
  sampleType?: string;
}

/** Two stored or given profile files, decoded, summarized and compared. */
export function diffProfileData(
  baseline: { data: Uint8Array; name: string },
  changed: { data: Uint8Array; name: string },
  options: DiffOptions,
): DiffResult {
  const summaries: ProfileSummary[] = [];
  for (const side of [baseline, changed]) {
    const decoded = decodeProfile(side.data, side.name);
    if (!decoded.ok) return decoded;
    const summary = summarizeProfile(decoded.profile, {
      ...(options.focus === undefined ? {} : { focus: options.focus }),
      ...(options.sampleType === undefined ? {} : { sampleType: options.sampleType }),
    });
    if (!summary.ok) return { ok: false, error: `${side.name}: ${summary.error}` };
    summaries.push(summary.summary);
  }
  return diffProfiles(summaries[0] as ProfileSummary, summaries[1] as ProfileSummary, options.top);
}
