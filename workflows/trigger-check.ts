import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { TriggerActivities, ValidateTriggerInput } from '../activities/trigger-validation.js';
import { REPOSITORY, STATE } from '../core/search-attributes.js';
import type { TriggerResult } from '../core/trigger.js';

const { validateTrigger } = proxyActivities<TriggerActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});

/** Validates one trigger comment through the worker: the smallest end-to-end use of the stack. */
export async function triggerCheck(input: ValidateTriggerInput): Promise<TriggerResult> {
  upsertSearchAttributes([
    { key: REPOSITORY, value: input.repo },
    { key: STATE, value: 'running' },
  ]);
  const result = await validateTrigger(input);
  upsertSearchAttributes([{ key: STATE, value: 'errors' in result ? 'failed' : 'done' }]);
  return result;
}
