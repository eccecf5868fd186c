import {
  type ProfileOutcome,
  profilesToReport,
  renderProfileSection,
} from '../../core/profile/report-section.js';
import type { ResultsComparison } from '../../core/report/index.js';
import type { StoreAccess } from '../results-store/access.js';
import { diffProfileData } from './decode.js';
import { jobProfiles } from './job-profiles.js';

// Functions per profile table in a report: enough to see where the time went.
const PROFILE_TOP = 10;

/**
 * The report with the profile tables of the job's benchmarks that changed significantly, in what
 * is left of `budget`; the report alone when the job took no profiles.
 */
export async function withProfiles(
  store: StoreAccess,
  jobKey: string,
  markdown: string,
  comparison: ResultsComparison,
  budget: number,
): Promise<string> {
  const profiles = await jobProfiles(store, jobKey);
  if (profiles === null) return markdown;
  const outcomes: ProfileOutcome[] = [];
  for (const entry of profilesToReport(comparison, profiles.manifest.profiles)) {
    const [baseline, changed] = await Promise.all([
      profiles.load(entry.benchmark, 'baseline'),
      profiles.load(entry.benchmark, 'changed'),
    ]);
    if (baseline === null || changed === null) continue;
    const result = diffProfileData(
      { data: baseline, name: `${entry.benchmark} (baseline)` },
      { data: changed, name: `${entry.benchmark} (changed)` },
      { top: PROFILE_TOP },
    );
    outcomes.push(
      result.ok
        ? { benchmark: entry.benchmark, diff: result.diff }
        : { benchmark: entry.benchmark, error: result.error },
    );
  }
  const section = renderProfileSection(outcomes, budget - markdown.length - 1);
  return section === '' ? markdown : `${markdown}\n${section}`;
}
