import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlots } from '../../adapters/executors/kubernetes/slots.js';
import { type ControlPlane, createNamespace, startControlPlane } from './control-plane.js';

// The slot Leases on the real API server, without Jobs: a slot taken for a Job about to be created
// is not taken from it, and a slot whose holder never made its Job is freed after the grace.

let plane: ControlPlane;
const namespace = 'slots';

beforeAll(async () => {
  plane = await startControlPlane();
  await createNamespace(plane.kubeConfig, namespace);
});

afterAll(async () => {
  await plane?.stop();
});

describe('platform slots', () => {
  it('keeps a slot for a Job being created, frees one whose holder died before creating it', async () => {
    const slots = () =>
      createSlots({ kubeConfig: plane.kubeConfig, namespace, platform: 'x86-64-linux', count: 1 });
    const [first, second] = [slots(), slots()];
    const never = new AbortController().signal;
    expect(await first.acquire('job-a', never, () => {})).toBe(true);
    // Asking again for the same Job (a retry adopting it) finds its slot.
    expect(await first.acquire('job-a', never, () => {})).toBe(true);

    // job-a has no Job yet: the other worker waits rather than take its slot.
    let waits = 0;
    const gaveUp = await second.acquire('job-b', AbortSignal.timeout(1_500), () => waits++);
    expect(gaveUp).toBe(false);
    expect(waits).toBeGreaterThan(0);

    // The worker that took it died long ago without creating job-a: the slot is free.
    const leases = plane.kubeConfig.makeApiClient(CoordinationV1Api);
    const [lease] = (await leases.listNamespacedLease({ namespace })).items;
    if (lease?.spec === undefined) throw new Error('no slot lease');
    lease.spec.acquireTime = new V1MicroTime(Date.now() - 5 * 60_000);
    await leases.replaceNamespacedLease({ name: lease.metadata?.name ?? '', namespace, body: lease });
    expect(await second.acquire('job-b', never, () => {})).toBe(true);
    const held = (await leases.listNamespacedLease({ namespace })).items.map((l) => l.spec?.holderIdentity);
    expect(held).toEqual(['job-b']);

    await second.release('job-b');
    expect((await leases.listNamespacedLease({ namespace })).items).toEqual([]);
  });
});
