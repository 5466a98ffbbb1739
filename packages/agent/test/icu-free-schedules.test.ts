import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `body` in a fresh node process (Intl keeps what it loaded, and a module keeps its formatters, for the life of
 * a process) after wrapping the Intl entry points that load ICU's time zone and collation data, and prints what
 * was used.
 */
async function icuUse(body: string): Promise<string[]> {
  const script = `
    const used = [];
    const RealDateTimeFormat = Intl.DateTimeFormat;
    Intl.DateTimeFormat = function (locales, options) { used.push('Intl.DateTimeFormat ' + (options?.timeZone ?? '')); return new RealDateTimeFormat(locales, options); };
    const RealCollator = Intl.Collator;
    Intl.Collator = function (...args) { used.push('Intl.Collator'); return new RealCollator(...args); };
    const localeCompare = String.prototype.localeCompare;
    String.prototype.localeCompare = function (...args) { used.push('localeCompare'); return localeCompare.apply(this, args); };
    const schedules = await import('@tender/schedules');
    const { AssociationReportSpool } = await import(${JSON.stringify(pathToFileURL(path.join(DIST, 'src/associations/association-report-spool.js')).href)});
    ${body}
    console.log(JSON.stringify(used));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: DIST });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}

/**
 * The first Intl.DateTimeFormat with a time zone, or the first localeCompare, loads ICU data the process then keeps:
 * about 8 MB of the agent's resident memory (see `npm run bench -- agent`). The agent runs the control plane's
 * default inventory association (rate(30 minutes), UTC) at start; that must not cost it those megabytes.
 */
describe('agent: UTC schedules and association reports leave ICU unloaded', function () {
  this.timeout(30_000);

  it('validating and scheduling UTC rate and cron associations, and ordering spooled reports, use no Intl time zone or collation', async () => {
    const used = await icuUse(`
      const now = new Date('2026-11-29T03:00:00Z');
      for (const ScheduleExpression of ['rate(30 minutes)', 'cron(0 2 ? * SUN *)', 'cron(0/30 * * * ? *)']) {
        schedules.validateAssociationSchedule({ ScheduleExpression }, { now });
        schedules.associationRuns({ ScheduleExpression }, now, { after: now, count: 3 });
      }
      schedules.checkTimeZone('UTC');
      schedules.checkTimeZone('Etc/UTC');
      const fs = await import('node:fs/promises');
      const dir = await fs.mkdtemp(${JSON.stringify(path.join(os.tmpdir(), 'tender-icu-'))});
      const spool = await AssociationReportSpool.open(dir, { debug() {}, info() {}, warn() {}, error() {} });
      const report = (runId, endedAt) => ({ runId, associationId: 'a', associationVersion: '1', trigger: 'schedule', scheduledAt: endedAt, status: 'Success', detailedStatus: 'Success', startedAt: endedAt, endedAt });
      spool.add(report('22222222-2222-4222-8222-222222222222', '2026-11-29T03:00:02.000Z'));
      spool.add(report('11111111-1111-4111-8111-111111111111', '2026-11-29T03:00:01.000Z'));
      spool.add(report('00000000-0000-4000-8000-000000000000', '2026-11-29T03:00:02.000Z'));
      const order = spool.pending().map((r) => r.runId[0]).join('');
      if (order !== '102') throw new Error('spooled reports out of order: ' + order);
      await fs.rm(dir, { recursive: true, force: true });
    `);
    assert.deepEqual(used, []);
  });

  it('(the check sees Intl when it is used: a zone other than UTC still asks it)', async () => {
    const used = await icuUse(`schedules.checkTimeZone('Europe/Paris');`);
    assert.deepEqual(used, ['Intl.DateTimeFormat Europe/Paris']);
    await assert.rejects(icuUse(`schedules.checkTimeZone('Mars/Olympus_Mons');`), /is not a known IANA time zone/);
  });
});
