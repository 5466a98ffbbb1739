import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseStartArguments, runAgentOptions } from '../src/cli/start-options.js';
import { defaultStateDir } from '../src/cli/state-dir.js';

/**
 * `tender-agent start` without oclif: the arguments it takes as they are, and everything it leaves to oclif (which
 * then parses and explains them exactly as before).
 */
describe('tender-agent start: the direct parser', () => {
  let pluginDir: string;
  before(async () => {
    pluginDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-start-options-'));
  });
  after(async () => {
    await fs.rm(pluginDir, { recursive: true, force: true });
  });

  it('takes well-formed options, with environment variables and oclif\'s defaults', () => {
    assert.deepEqual(parseStartArguments([], {}), { 'log-level': 'info', 'inventory-interval-minutes': 30, 'inventory-jitter-seconds': 60 });
    assert.deepEqual(
      parseStartArguments(['--state-dir', '/s', '--heartbeat-seconds=5', '--plugin', pluginDir, '--plugin', pluginDir, '--inventory-jitter-seconds', '0'], {
        TENDER_AGENT_LOG_LEVEL: 'debug',
        TENDER_AGENT_INVENTORY_INTERVAL_MINUTES: '0',
        TENDER_AGENT_HEARTBEAT_SECONDS: '99',
      }),
      { 'state-dir': '/s', 'log-level': 'debug', plugin: [pluginDir, pluginDir], 'heartbeat-seconds': 5, 'inventory-interval-minutes': 0, 'inventory-jitter-seconds': 0 },
    );
    assert.deepEqual(parseStartArguments([], { TENDER_AGENT_STATE_DIR: '/from-env' })?.['state-dir'], '/from-env');
    const options = runAgentOptions(parseStartArguments(['--custom-inventory-dir', '/c'], {})!);
    assert.equal(options.stateDir, defaultStateDir());
    assert.equal(options.customInventoryDir, '/c');
    assert.equal(options.inventoryIntervalMinutes, 30);
  });

  it('leaves to oclif help, unknown, repeated, missing and invalid values', () => {
    const forOclif: Array<[string[], NodeJS.ProcessEnv?]> = [
      [['--help']],
      [['-h']],
      [['--state-dir']],
      [['--state-dir', '--log-level', 'info']],
      [['--no-such-option', 'x']],
      [['--state-dir', '/a', '--state-dir', '/b']],
      [['--log-level', 'loud']],
      [['--heartbeat-seconds', '0']],
      [['--heartbeat-seconds', '1.5']],
      [['--inventory-interval-minutes', '-1']],
      [['--plugin', path.join(pluginDir, 'absent')]],
      [['stray']],
      [[], { TENDER_AGENT_HEARTBEAT_SECONDS: 'soon' }],
      [[], { TENDER_AGENT_LOG_LEVEL: '' }],
    ];
    for (const [argv, env] of forOclif) assert.equal(parseStartArguments(argv, env ?? {}), undefined, JSON.stringify([argv, env]));
  });
});
