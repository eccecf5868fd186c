import { appendFile } from 'node:fs/promises';
import { nonEmpty } from './target.js';

// GitHub Actions shows the markdown a step appends to the file $GITHUB_STEP_SUMMARY on the run's
// page. Each step gets its own file and may append several times, so benchbot appends, never
// truncates. https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary

/** Whether benchbot runs as a step of a GitHub Actions job (the runner sets GITHUB_ACTIONS=true). */
export function inGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** Appends `markdown` to the job summary; returns a message saying what is wrong and the fix, or null. */
export async function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string): Promise<string | null> {
  const file = nonEmpty(env.GITHUB_STEP_SUMMARY);
  if (file === undefined) {
    return 'GITHUB_ACTIONS is true but GITHUB_STEP_SUMMARY is not set, so the report cannot become the job summary; run benchbot as a step of the job (not in a container that drops the variable), or unset GITHUB_ACTIONS outside Actions';
  }
  try {
    await appendFile(file, markdown.endsWith('\n') ? `${markdown}\n` : `${markdown}\n\n`);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return `cannot append the report to GITHUB_STEP_SUMMARY (${file}): ${code}; the step must be able to write that file (a container step needs the runner's file_commands folder mounted)`;
  }
}
