import { createHash } from 'node:crypto';
import { createReportActivities } from '../../activities/report-activities.js';
import { createStoreAccess } from '../../adapters/results-store/access.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import { seededRandom } from '../../core/random.js';
import { commentRequestId, manualRequestId } from '../../core/request/ids.js';
import { type BenchbotResults, resultsSchema } from '../../core/results/index.js';

// Pull-request and `benchbot run` requests, recorded by the worker's own recordRun activity, so the
// dashboard reads exactly what a finished request leaves in the store: two-sided results, the
// requester, the summary line and the markdown report.

export interface RequestSpec {
  kind: 'pull-request' | 'manual';
  repository: string;
  requester: string;
  /** For pull-request requests. */
  pullRequest?: number;
  /** `changed` is this much slower than `baseline` (1.1 = 10% slower). */
  ratio: number;
  /** When the runner started; it finishes four minutes later. */
  startedAt: string;
}

const shaOf = (text: string) => createHash('sha1').update(text).digest('hex');

export function requestResults(spec: RequestSpec, n: number): BenchbotResults {
  const random = seededRandom(1000 + n);
  const sample = (centre: number) =>
    Array.from({ length: 10 }, (_, round) => ({ value: centre * (1 + 0.004 * (random() - 0.5)), round }));
  return resultsSchema.parse({
    schema: 'benchbot-results',
    schemaVersion: 1,
    run: {
      repository: spec.repository,
      reason: spec.kind === 'pull-request' ? 'pr-comment' : 'manual',
      ...(spec.pullRequest === undefined ? {} : { pullRequest: spec.pullRequest }),
      sides: {
        baseline: { ref: 'main', sha: shaOf(`base ${n}`), envKeys: [] },
        changed: { ref: `feature-${n}`, sha: shaOf(`head ${n}`), envKeys: [] },
      },
      platform: 'x86-64-linux',
      machine: { cpuModel: 'Test CPU', cores: 8, kernel: '6.1.0', memoryBytes: 16e9 },
      startedAt: spec.startedAt,
      finishedAt: new Date(Date.parse(spec.startedAt) + 4 * 60_000).toISOString(),
      runnerVersion: '0.1.0',
      interleaved: true,
    },
    benchmarks: ['startup', 'parse'].map((name, b) => ({
      name,
      group: { kind: 'benchmark', name: 'queries' },
      metric: 'time',
      unit: 'ns',
      direction: 'lower-is-better',
      samples: {
        baseline: sample(1e6 * (b + 1)),
        changed: sample(1e6 * (b + 1) * (b === 0 ? spec.ratio : 1)),
      },
      rawSamples: true,
      status: 'ok',
    })),
  });
}

/** Records each request in order, as the request workflow's last step does; returns their run ids. */
export async function recordRequests(
  config: BenchbotConfig,
  specs: readonly RequestSpec[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const access = createStoreAccess(config, env);
  const activities = createReportActivities(access);
  try {
    const ids: string[] = [];
    for (const [n, spec] of specs.entries()) {
      const runId =
        spec.kind === 'pull-request'
          ? commentRequestId(spec.repository, 9000 + n)
          : manualRequestId(spec.repository, `nonce-${n}`);
      ids.push(
        await activities.recordRun({
          runId,
          results: requestResults(spec, n),
          pullRequest: spec.pullRequest ?? null,
          requester: spec.requester,
        }),
      );
    }
    return ids;
  } finally {
    await access.close();
  }
}
