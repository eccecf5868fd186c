import { describe, expect, it } from 'vitest';
import {
  POLLER_WORKFLOW_TYPE,
  REQUEST_WORKFLOW_TYPE,
  TRUNK_WORKFLOW_TYPE,
  WATCHDOG_WORKFLOW_TYPE,
} from '../../core/request/contract.js';
import * as workflows from '../../workflows/index.js';

describe('the Temporal contract', () => {
  it('names a workflow the worker registers for each workflow type', () => {
    // The worker registers workflows/index.ts's exports by their names: a type that names none
    // would start workflows no worker can run.
    const types = [REQUEST_WORKFLOW_TYPE, POLLER_WORKFLOW_TYPE, TRUNK_WORKFLOW_TYPE, WATCHDOG_WORKFLOW_TYPE];
    const exported = workflows as Record<string, unknown>;
    for (const type of types) expect(typeof exported[type], type).toBe('function');
  });
});
