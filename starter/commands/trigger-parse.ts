import { text } from 'node:stream/consumers';
import { type BenchbotConfig, findRepo, triggerContext } from '../../core/config/index.js';
import { parseTrigger } from '../../core/trigger.js';

/**
 * `benchbot trigger parse --repo OWNER/NAME`: what benchbot would make of a comment, without a
 * server. Exit 0 for a request or "not a trigger", 2 for errors (a JSON object either way).
 */
export async function triggerParse(config: BenchbotConfig, repo: string): Promise<number> {
  const found = findRepo(config, repo);
  if (found === null) {
    const known = config.repos.map((r) => r.name).join(', ') || '(none)';
    const message = `repository ${repo} is not configured (configured: ${known}). Fix: pass one of those to --repo, or add it under repos: in benchbot.yaml.`;
    console.log(JSON.stringify({ errors: [{ code: 'unknown-repository', message }] }, null, 2));
    return 2;
  }
  const result = parseTrigger(await text(process.stdin), triggerContext(found));
  if (!result.trigger) {
    console.log(JSON.stringify({ trigger: false }));
    return 0;
  }
  if ('errors' in result) {
    console.log(JSON.stringify({ errors: result.errors }, null, 2));
    return 2;
  }
  console.log(JSON.stringify(result.request, null, 2));
  return 0;
}
