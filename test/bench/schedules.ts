/**
 * The cost of schedule arithmetic at State Manager's scale: for 10,000 associations with a mix of cron and rate
 * expressions, how long parsing and validating them takes (CreateAssociation's share), and how long working out
 * each one's next run takes (what a scheduler tick that recomputes every association would pay), in UTC and in a
 * zone with daylight saving (maintenance windows). Prints figures; asserts nothing about speed.
 */
import { performance } from 'node:perf_hooks';
import { associationRuns, nextRuns, parseSchedule, validateAssociationSchedule, type Schedule } from '@tender/schedules';

const COUNT = 10_000;
const EXPRESSIONS = [
  'cron(0/30 * * * ? *)',
  'cron(0 0/4 * * ? *)',
  'cron(15 13 ? * MON *)',
  'cron(0 2 ? * THU#3 *)',
  'cron(0 2 L * ? *)',
  'cron(15 10 ? * 6L *)',
  'cron(0 9 15W * ? *)',
  'cron(0/30 8-17 ? * MON-FRI *)',
  'rate(30 minutes)',
  'rate(1 day)',
];

/** Runs `work` twice: the first pass is cold (JIT, and @tender/schedules' shared fields and zone offsets). */
function time(label: string, work: () => number): void {
  const passes = [0, 1].map(() => {
    const start = performance.now();
    const checksum = work();
    return { ms: performance.now() - start, checksum };
  });
  const figures = passes.map(({ ms }) => `${ms.toFixed(1).padStart(7)} ms (${((ms * 1000) / COUNT).toFixed(1).padStart(6)} µs each)`);
  console.log(`${label.padEnd(72)} cold ${figures[0]}  warm ${figures[1]}  [${passes[1]!.checksum}]`);
}

export async function run(_args: string[] = []): Promise<void> {
  const texts = Array.from({ length: COUNT }, (_, i) => EXPRESSIONS[i % EXPRESSIONS.length]!);
  const schedules: Schedule[] = texts.map((text) => parseSchedule(text));
  const now = new Date('2026-03-07T12:00:00Z');
  const createdAt = new Date('2026-01-01T00:00:00Z');

  time(`parse ${COUNT.toLocaleString('en-US')} expressions`, () => texts.map((text) => parseSchedule(text)).length);
  time(`validate ${COUNT.toLocaleString('en-US')} as association schedules`, () => texts.filter((text) => validateAssociationSchedule({ ScheduleExpression: text }, { now })).length);
  time(`next run of ${COUNT.toLocaleString('en-US')} schedules, UTC`, () => schedules.reduce((n, schedule) => n + nextRuns(schedule, now).length, 0));
  time(`next run of ${COUNT.toLocaleString('en-US')} schedules, America/New_York (DST change next day)`, () => schedules.reduce((n, schedule) => n + nextRuns(schedule, now, { timeZone: 'America/New_York' }).length, 0));
  time(`next association run of ${COUNT.toLocaleString('en-US')} (associationRuns, created 2 months before)`, () =>
    texts.reduce((n, text) => n + associationRuns({ ScheduleExpression: text }, createdAt, { after: now }).length, 0),
  );
  const memory = process.memoryUsage().heapUsed;
  console.log(`heap used with ${COUNT.toLocaleString('en-US')} parsed schedules held: ${(memory / 1024 / 1024).toFixed(1)} MiB`);
}
