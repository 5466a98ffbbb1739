import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findExecutable } from '../src/find-executable.js';
import { createPowerShellScriptAction, powerShellCommand, PWSH_NOT_FOUND } from '../src/index.js';
import { stepFixture, type StepFixture } from '@tender/plugin-api/testing';

const unix = process.platform !== 'win32';

describe('action-script: PowerShell command construction', () => {
  it('Windows: Windows PowerShell by its full path, no profile, non-interactive, execution policy bypassed, -File', () => {
    assert.deepEqual(powerShellCommand('win32', 'C:\\ProgramData\\Tender\\runs\\c\\s\\_script.ps1', { systemRoot: 'C:\\Windows' }), {
      command: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', 'C:\\ProgramData\\Tender\\runs\\c\\s\\_script.ps1'],
    });
  });

  it('Windows without SystemRoot in the environment: powershell.exe from PATH', () => {
    assert.equal(powerShellCommand('win32', 'C:\\s.ps1', {})?.command, 'powershell.exe');
  });

  it('Windows ignores a pwsh on PATH: powershell.exe is what SSM runs there', () => {
    assert.match(powerShellCommand('win32', 'C:\\s.ps1', { systemRoot: 'C:\\Windows', pwsh: 'C:\\pwsh\\pwsh.exe' })?.command ?? '', /powershell\.exe$/);
  });

  it('Linux and macOS: the pwsh that was found, without -ExecutionPolicy (it does not exist there)', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      assert.deepEqual(powerShellCommand(platform, '/var/lib/tender/s/_script.ps1', { pwsh: '/usr/bin/pwsh' }), {
        command: '/usr/bin/pwsh',
        args: ['-NoProfile', '-NonInteractive', '-File', '/var/lib/tender/s/_script.ps1'],
      });
    }
  });

  it('Linux and macOS without pwsh: no command', () => {
    assert.equal(powerShellCommand('linux', '/s.ps1', {}), undefined);
  });
});

(unix ? describe : describe.skip)('action-script: aws:runPowerShellScript on Linux (real processes)', () => {
  const action = createPowerShellScriptAction({ killGraceMs: 300, pipeDrainMs: 300 });
  let fixture: StepFixture | undefined;
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  it('without pwsh on PATH the step is Failed with a clear message and exit code -1', async () => {
    fixture = await stepFixture({ runCommand: 'Write-Output hi' });
    const emptyDirectory = path.join(fixture.root, 'empty-bin');
    await mkdir(emptyDirectory);
    const result = await action.run({ ...fixture.context, env: { PATH: `${emptyDirectory}:relative/bin:` } });
    assert.deepEqual(result, { status: 'Failed', exitCode: -1, message: PWSH_NOT_FOUND });
    assert.equal(PWSH_NOT_FOUND, 'aws:runPowerShellScript needs PowerShell: pwsh was not found on PATH');
  });

  it('on this host, with the agent environment as it is, gives the same message when pwsh is not installed', async function () {
    if (await findExecutable('pwsh', process.env.PATH, process.platform)) this.skip();
    fixture = await stepFixture({ runCommand: 'Write-Output hi' });
    assert.deepEqual(await action.run(fixture.context), { status: 'Failed', exitCode: -1, message: PWSH_NOT_FOUND });
  });

  it('with pwsh on PATH, runs it with -NoProfile -NonInteractive -File <_script.ps1> (UTF-8 with BOM) and keeps its exit code', async () => {
    // A stand-in pwsh (a shell script) that reports how it was called and what it was given.
    fixture = await stepFixture({ runCommand: ['Write-Output "héllo"', 'exit 3'] });
    const bin = path.join(fixture.root, 'bin');
    await mkdir(bin);
    const fakePwsh = path.join(bin, 'pwsh');
    await writeFile(fakePwsh, '#!/bin/sh\nprintf "%s\\n" "$@"\necho "cwd=$(pwd)" >&2\nexit 3\n');
    await chmod(fakePwsh, 0o755);
    // A non-executable 'pwsh' earlier on PATH is skipped, as a shell would.
    const decoy = path.join(fixture.root, 'decoy');
    await mkdir(decoy);
    await writeFile(path.join(decoy, 'pwsh'), 'not executable');

    const result = await action.run({ ...fixture.context, env: { PATH: `${decoy}:${bin}:/usr/bin:/bin` } });
    const scriptPath = path.join(fixture.orchestrationDirectory, '_script.ps1');
    assert.deepEqual(result, { status: 'Failed', exitCode: 3, message: 'failed to run commands: exit status 3' });
    assert.equal(fixture.stdout.text(), `-NoProfile\n-NonInteractive\n-File\n${scriptPath}\n`);
    assert.match(fixture.stderr.text(), /^cwd=.*orchestration\/step\n$/);
    const written = await readFile(scriptPath);
    assert.deepEqual([...written.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with a UTF-8 BOM');
    assert.equal(written.subarray(3).toString('utf8'), 'Write-Output "héllo"\nexit 3\n');
  });

  it('checks its inputs like the shell action', async () => {
    fixture = await stepFixture({ runCommand: [] });
    const result = await action.run(fixture.context);
    assert.deepEqual(result, { status: 'Failed', exitCode: -1, message: 'aws:runPowerShellScript: the input runCommand is empty: there is nothing to run' });
  });
});
