/**
 * The retention settings: their defaults (SSM's 30 days), what the config file and the environment give, and
 * bad values refused by name before anything starts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { layerSettings, readConfigFile } from '@tender/local-state';
import { SERVER_DEFAULTS, validateServerConfig, type ServerConfig } from '../src/config.js';
import { startControlPlane } from '../src/control-plane.js';

const TENDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/tender.js');
const config = (over: Partial<ServerConfig> = {}): ServerConfig => ({ ...SERVER_DEFAULTS, dataDir: '/var/lib/tender', ...over });
const KEYS = ['retentionInventoryHistoryDays', 'retentionMaintenanceWindowExecutionDays', 'retentionCommandDays', 'retentionAssociationExecutionDays'] as const;
const SETTING: Record<(typeof KEYS)[number], string> = {
  retentionInventoryHistoryDays: 'retention-inventory-history-days',
  retentionMaintenanceWindowExecutionDays: 'retention-maintenance-window-execution-days',
  retentionCommandDays: 'retention-command-days',
  retentionAssociationExecutionDays: 'retention-association-execution-days',
};

function problemOf(c: ServerConfig): string | undefined {
  try {
    validateServerConfig(c);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('Retention settings', () => {
  it('default to 30 days each, and accept any whole number of days from 1', () => {
    for (const key of KEYS) {
      assert.equal(SERVER_DEFAULTS[key], 30, key);
      for (const days of [1, 7, 90, 400, 36_500]) assert.equal(problemOf(config({ [key]: days })), undefined, `${key} ${days}`);
    }
    assert.equal(problemOf(config({ retentionCommandDays: undefined })), undefined, 'unset means the default');
  });

  for (const key of KEYS) {
    for (const bad of [0, -1, -30, 1.5, 36_501, Number.NaN, Number.POSITIVE_INFINITY, '30', null]) {
      it(`refuses ${SETTING[key]} ${typeof bad === 'number' ? String(bad) : JSON.stringify(bad)} by name`, () => {
        const message = problemOf(config({ [key]: bad as number }));
        assert.ok(message, 'refused');
        const lines = message.split('\n');
        assert.equal(lines.length, 2, 'one problem');
        assert.match(lines[1]!, new RegExp(`^ {2}- ${SETTING[key]} must be a whole number of days from 1 to 36500 \\(how long history is kept\\), got `));
      });
    }
  }

  it('are read from the config file\'s camelCase keys, with the environment (flags) over the file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tender-retention-config-'));
    try {
      const file = path.join(dir, 'tender.json');
      await writeFile(file, JSON.stringify({ retentionCommandDays: 90, retentionInventoryHistoryDays: 365, retentionAssociationExecutionDays: 60 }));
      const fromFile = await readConfigFile(file, [...KEYS]);
      // As `tender server start` layers them: TENDER_RETENTION_COMMAND_DAYS=7 (a flag's env) wins over the file.
      const merged = layerSettings<Record<string, unknown>>({ retentionCommandDays: 7 }, fromFile, { ...SERVER_DEFAULTS });
      assert.equal(merged.retentionCommandDays, 7);
      assert.equal(merged.retentionInventoryHistoryDays, 365);
      assert.equal(merged.retentionMaintenanceWindowExecutionDays, 30);
      assert.equal(merged.retentionAssociationExecutionDays, 60);
      assert.equal(problemOf(config(merged as Partial<ServerConfig>)), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a bad value stops the control plane before it touches its data directory', async () => {
    const dir = path.join(os.tmpdir(), `tender-retention-never-${process.pid}`);
    await assert.rejects(startControlPlane(config({ dataDir: dir, httpPort: 0, mqttPort: 0, retentionMaintenanceWindowExecutionDays: 0 })), /retention-maintenance-window-execution-days must be a whole number of days from 1/);
    await assert.rejects(startControlPlane(config({ dataDir: dir, httpPort: 0, mqttPort: 0, retentionAssociationExecutionDays: -1 })), /retention-association-execution-days must be a whole number of days from 1/);
    await assert.rejects(access(dir), /ENOENT/);
  });

  for (const [variable, value, setting] of [
    ['TENDER_RETENTION_COMMAND_DAYS', '-7', 'retention-command-days'],
    ['TENDER_RETENTION_ASSOCIATION_EXECUTION_DAYS', '0', 'retention-association-execution-days'],
  ] as const) {
    it(`\`tender server start\` takes ${variable} from the environment and refuses a bad one with the setting's name`, async () => {
      const dir = path.join(os.tmpdir(), `tender-retention-env-${process.pid}`);
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [TENDER, 'server', 'start', '--data-dir', dir, '--http-port', '0', '--mqtt-port', '0'], { env: { ...process.env, NO_COLOR: '1', [variable]: value } }, (_error, _stdout, err) =>
          resolve({ code: child.exitCode, stderr: err }),
        );
      });
      assert.notEqual(code, 0);
      // oclif wraps long lines with " ›   " prefixes: read the message as one line.
      assert.match(stderr.replace(/\s*\n\s*›\s*/g, ' '), new RegExp(`${setting} must be a whole number of days from 1 to 36500 \\(how long history is kept\\), got ${value}`));
      await assert.rejects(access(dir), /ENOENT/);
    });
  }
});
