import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// packages/cli/dist/test -> the repository's bin/tender.js, run as a user would.
const TENDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/tender.js');

function tender(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TENDER, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('tender schedule explain', () => {
  it('prints the next runs of a cron expression', async () => {
    const result = await tender('schedule', 'explain', 'cron(0 2 ? * SUN *)', '--after', '2026-01-01T00:00:00Z', '--count', '3');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), [
      'cron(0 2 ? * SUN *), UTC',
      'next 3 runs after 2026-01-01T00:00:00.000Z:',
      '   1  Sun 2026-01-04T02:00:00Z',
      '   2  Sun 2026-01-11T02:00:00Z',
      '   3  Sun 2026-01-18T02:00:00Z',
    ]);
  });

  it('reads the expression in a time zone, skipping the time the clock jumps over', async () => {
    const result = await tender('schedule', 'explain', 'cron(30 2 * * ? *)', '--timezone', 'America/New_York', '--after', '2026-03-06T12:00:00Z', '-n', '2', '--json');
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as { kind: string; timeZone: string; runs: Array<{ time: string; local: string }> };
    assert.equal(parsed.kind, 'cron');
    assert.equal(parsed.timeZone, 'America/New_York');
    assert.deepEqual(parsed.runs, [
      { time: '2026-03-07T07:30:00.000Z', local: '2026-03-07T02:30:00-05:00' },
      { time: '2026-03-09T06:30:00.000Z', local: '2026-03-09T02:30:00-04:00' },
    ]);
    assert.deepEqual((parsed as unknown as { skippedByDaylightSaving: string[] }).skippedByDaylightSaving, ['2026-03-08T02:30:00']);
    const text = await tender('schedule', 'explain', 'cron(30 2 * * ? *)', '--timezone', 'America/New_York', '--after', '2026-03-06T12:00:00Z', '-n', '2');
    assert.match(text.stdout, /skipped: 2026-03-08T02:30:00 does not exist in America\/New_York \(the clock jumps over it\)/);
  });

  it('applies a schedule offset', async () => {
    const result = await tender('schedule', 'explain', 'cron(30 23 ? * TUE#3 *)', '--schedule-offset', '2', '--after', '2026-01-01T00:00:00Z', '-n', '1', '--json');
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { runs: Array<{ time: string }> }).runs[0]?.time, '2026-01-22T23:30:00.000Z');
  });

  it('refuses a bad expression with the field at fault and exit code 2', async () => {
    const fields = await tender('schedule', 'explain', 'cron(0 2 ? * MON-FRI)');
    assert.equal(fields.code, 2);
    assert.match(fields.stderr.replace(/\s*›\s*/g, ' '), /cron\(0 2 \? \* MON-FRI\) has 5 fields, expected 6/);
    const range = await tender('schedule', 'explain', 'cron(0 2 32 * ? *)');
    assert.equal(range.code, 2);
    assert.match(range.stderr.replace(/\s*›\s*/g, ' '), /field 3 \(day-of-month\) "32" is out of range 1-31/);
  });

  it('with --association, applies State Manager\'s limits', async () => {
    const refused = await tender('schedule', 'explain', 'cron(0/15 * * * ? *)', '--association');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr.replace(/\s*›\s*/g, ' '), /runs 15 minutes apart .* at most every 30 minutes/);
    const accepted = await tender('schedule', 'explain', 'cron(0/30 * * * ? *)', '--association', '--json', '-n', '1', '--after', '2026-01-01T00:00:00Z');
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.equal((JSON.parse(accepted.stdout) as { minimumIntervalMinutes: number }).minimumIntervalMinutes, 30);
  });

  it('says so when a schedule has no more runs', async () => {
    const result = await tender('schedule', 'explain', 'at(2020-07-07T15:55:00)', '--after', '2026-01-01T00:00:00Z');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /no runs after 2026-01-01T00:00:00.000Z: the schedule has ended or never fires/);
  });
});
