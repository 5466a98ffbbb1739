import assert from 'node:assert/strict';
import { windowRuns } from '../src/maintenance-windows/window-schedule.js';

const iso = (runs: Date[]) => runs.map((run) => run.toISOString());
const since = '2026-03-01T00:00:00.000Z';

describe('Maintenance window schedules (window-schedule.ts on @tender/schedules)', () => {
  it('moves cron times by ScheduleOffset days, keeping the time of day, in the window\'s time zone', () => {
    // The third Tuesday of March 2026 is the 17th; two days later, 23:30 in Paris (UTC+1).
    const runs = windowRuns({ Schedule: 'cron(30 23 ? * TUE#3 *)', ScheduleTimezone: 'Europe/Paris', ScheduleOffset: 2, scheduleSince: since }, new Date(since), 2);
    assert.deepEqual(iso(runs), ['2026-03-19T22:30:00.000Z', '2026-04-23T21:30:00.000Z']);
  });

  it('runs only between StartDate and EndDate', () => {
    const runs = windowRuns({ Schedule: 'cron(0 4 ? * * *)', StartDate: '2026-03-10T00:00:00Z', EndDate: '2026-03-12T12:00:00Z', scheduleSince: since }, new Date(since), 10);
    assert.deepEqual(iso(runs), ['2026-03-10T04:00:00.000Z', '2026-03-11T04:00:00.000Z', '2026-03-12T04:00:00.000Z']);
  });

  it('counts rate schedules from StartDate, or from when the schedule was set', () => {
    assert.deepEqual(iso(windowRuns({ Schedule: 'rate(6 hours)', StartDate: '2026-03-02T01:00:00Z', scheduleSince: since }, new Date(since), 2)), ['2026-03-02T07:00:00.000Z', '2026-03-02T13:00:00.000Z']);
    assert.deepEqual(iso(windowRuns({ Schedule: 'rate(6 hours)', scheduleSince: since }, new Date('2026-03-01T13:00:00Z'), 2)), ['2026-03-01T18:00:00.000Z', '2026-03-02T00:00:00.000Z']);
  });

  it('reads at() in the window\'s time zone and runs it once', () => {
    const window = { Schedule: 'at(2026-07-04T09:00:00)', ScheduleTimezone: 'America/Los_Angeles', scheduleSince: since };
    assert.deepEqual(iso(windowRuns(window, new Date(since), 3)), ['2026-07-04T16:00:00.000Z']);
    assert.deepEqual(windowRuns(window, new Date('2026-07-04T16:00:00Z'), 3), []);
  });
});
