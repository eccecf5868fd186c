import { describe, expect, it } from 'vitest';
import {
  gapOfIssue,
  gapVerdict,
  intervalSeconds,
  isWatched,
  type MissingDataIssueInput,
  renderMissingDataIssue,
  renderResumedIssue,
  watchdogEverySeconds,
} from '../../core/trunk/missing-data.js';

const created = '2026-12-01T00:00:00.000Z';
const at = (iso: string) => new Date(iso);

describe('gapVerdict', () => {
  it('counts whole intervals since the last success, and alerts from the threshold on', () => {
    const base = { intervalSeconds: 3600, after: 3, scheduleCreatedAt: created };
    const lastSuccessAt = '2026-12-01T06:00:00.000Z';
    expect(gapVerdict({ ...base, lastSuccessAt, now: at('2026-12-01T08:59:59Z') })).toEqual({
      kind: 'ok',
      missedIntervals: 2,
    });
    expect(gapVerdict({ ...base, lastSuccessAt, now: at('2026-12-01T09:00:00Z') })).toEqual({
      kind: 'gap',
      since: lastSuccessAt,
      missedIntervals: 3,
    });
  });

  it('measures a schedule that never succeeded from its creation', () => {
    const verdict = gapVerdict({
      intervalSeconds: 60,
      after: 2,
      scheduleCreatedAt: created,
      lastSuccessAt: null,
      now: at('2026-12-01T00:05:00Z'),
    });
    expect(verdict).toEqual({ kind: 'gap', since: created, missedIntervals: 5 });
  });
});

describe('intervals and the watchdog cadence', () => {
  it('takes every, else the gap between the next two cron times, else a day', () => {
    expect(intervalSeconds({ every: '6h' }, [])).toBe(21_600);
    expect(intervalSeconds({ every: null }, [at('2026-12-02T03:00:00Z'), at('2026-12-02T09:00:00Z')])).toBe(
      21_600,
    );
    expect(intervalSeconds({ every: null }, [])).toBe(86_400);
  });

  it('watches alerting schedules unless the config pauses them', () => {
    expect(isWatched({ missingRunsAfter: 3, paused: false })).toBe(true);
    expect(isWatched({ missingRunsAfter: 3, paused: true })).toBe(false);
    expect(isWatched({ missingRunsAfter: null, paused: false })).toBe(false);
  });

  it('checks once per shortest interval, at least hourly, and not at all without alerting schedules', () => {
    expect(watchdogEverySeconds([86_400, 900])).toBe(900);
    expect(watchdogEverySeconds([86_400])).toBe(3600);
    expect(watchdogEverySeconds([4])).toBe(4);
    expect(watchdogEverySeconds([])).toBeNull();
  });
});

describe('the issue text', () => {
  const input: MissingDataIssueInput = {
    repo: 'acme/app',
    schedule: 'nightly',
    branch: 'main',
    intervalSeconds: 86_400,
    after: 3,
    gap: { kind: 'gap', since: '2026-12-01T03:00:00.000Z', missedIntervals: 4 },
    lastSuccessRunId: 'trunk:acme/app:nightly-1',
    lastAttempt: {
      runId: 'trunk:acme/app:nightly-2',
      recordedAt: '2026-12-02T03:10:00.000Z',
      failures: [{ platform: 'x86-64-linux', failure: 'the build of main (abc) exited with code 2\nmore' }],
    },
    pausedNote: 'runner maintenance',
    checkedAt: '2026-12-05T03:00:00.000Z',
  };

  it('names the gap, its start, the threshold and every known cause; the gap can be read back', () => {
    const body = renderMissingDataIssue(input);
    expect(body.split('\n')[0]).toBe('<!-- benchbot:missing-data:acme/app:nightly -->');
    expect(body).toContain(
      'since the last successful run `trunk:acme/app:nightly-1` (2026-12-01T03:00:00.000Z): **4 intervals**',
    );
    expect(body).toContain('every 1d');
    expect(body).toContain('- The schedule is **paused** in Temporal: runner maintenance');
    expect(body).toContain('  - x86-64-linux: the build of main (abc) exited with code 2\n');
    expect(body).not.toContain('more');
    expect(gapOfIssue(body)).toBe('2026-12-01T03:00:00.000Z');
    expect(gapOfIssue('no marker')).toBeNull();
  });

  it('suspects the worker when nothing was attempted, and says how the gap ended', () => {
    const body = renderMissingDataIssue({ ...input, lastAttempt: null, pausedNote: null });
    expect(body).toContain('No attempt was recorded in the gap: is the worker running');
    const resolved = renderResumedIssue(body, {
      runId: 'trunk:acme/app:nightly-9',
      recordedAt: '2026-12-05T04:00:00Z',
    });
    expect(resolved).not.toContain('Last checked');
    expect(
      resolved.endsWith('**Resolved**: runs resumed with `trunk:acme/app:nightly-9` (2026-12-05T04:00:00Z).'),
    ).toBe(true);
  });
});
