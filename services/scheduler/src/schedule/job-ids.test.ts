import { describe, expect, it } from 'vitest';
import { dueBefore } from './due-times.js';
import { dueMillisOfJob, runJobId, runSchedulerId, studyRunId, triggerSchedulerId } from './job-ids.js';
import { repeatOptionsOf } from './repeat-options.js';

const study = { id: 'credit-risk-drift', version: '3' };
const due = Date.UTC(2025, 2, 10, 2, 0, 0);

describe('job ids', () => {
  it('derives the same ids from the same study version and due time', () => {
    expect(runJobId(study, due)).toBe(`credit-risk-drift:3:${due}`);
    expect(runJobId(study, due)).toBe(runJobId({ ...study }, due));
    expect(runJobId({ ...study, version: '4' }, due)).not.toBe(runJobId(study, due));
    expect(studyRunId(study, due)).toBe('credit-risk-drift@3@2025-03-10T02:00:00.000Z');
    // BullMQ accepts a custom id with ':' only when it has exactly three parts.
    expect(runJobId(study, due).split(':')).toHaveLength(3);
    expect(runSchedulerId(study.id)).not.toContain(':');
    expect(triggerSchedulerId(study.id)).not.toContain(':');
    expect(() => runJobId(study, 1.5)).toThrow(TypeError);
  });

  it('reads the due time of scheduler jobs and of jobs we add', () => {
    expect(dueMillisOfJob({ id: `repeat:credit-risk-drift:${due}`, data: {} })).toBe(due);
    expect(dueMillisOfJob({ id: runJobId(study, 5), data: { dueMillis: due } })).toBe(due);
    expect(dueMillisOfJob({ id: 'repeat:a:b:1', data: {} })).toBeUndefined();
    expect(dueMillisOfJob({ id: 'x', data: {} })).toBeUndefined();
  });
});

describe('schedules', () => {
  it('maps every, cron and calendar intervals to BullMQ repeat options', () => {
    expect(repeatOptionsOf({ every: '2s', tz: 'UTC' })).toEqual({ every: 2000 });
    expect(repeatOptionsOf({ cron: '0 2 * * 1', tz: 'Europe/Berlin' })).toEqual({ pattern: '0 2 * * 1', tz: 'Europe/Berlin' });
    expect(repeatOptionsOf({ interval: 'quarterly', tz: 'UTC' })).toEqual({ pattern: '0 0 1 1,4,7,10 *', tz: 'UTC' });
  });

  it('finds the due time before another', () => {
    expect(dueBefore({ every: 2000 }, 10_000)).toBe(8_000);
    expect(dueBefore({ pattern: '0 0 1 1,4,7,10 *', tz: 'UTC' }, Date.UTC(2025, 6, 1))).toBe(Date.UTC(2025, 3, 1));
    expect(dueBefore({ pattern: '0 2 * * *', tz: 'Europe/Berlin' }, Date.UTC(2025, 5, 2, 0, 0))).toBe(Date.UTC(2025, 5, 1, 0, 0));
  });
});
