import assert from 'node:assert/strict';
import { parseScriptInputs } from '../src/inputs.js';

const parse = (inputs: Record<string, unknown>) => parseScriptInputs('aws:runShellScript', inputs);

describe('action-script: inputs', () => {
  it('a string runCommand is the script, with a final newline as SSM writes it', () => {
    assert.deepEqual(parse({ runCommand: 'echo hi' }), { ok: true, inputs: { script: 'echo hi\n', workingDirectory: undefined } });
  });

  it('a list of lines is joined with "\\n"; nested lists (a StringList substituted into a list) are flattened', () => {
    const parsed = parse({ runCommand: ['set -e', ['echo a', 'echo b'], 'echo c'] });
    assert.ok(parsed.ok);
    assert.equal(parsed.inputs.script, 'set -e\necho a\necho b\necho c\n');
  });

  it('missing, empty or blank runCommand is a clear failure, not a throw', () => {
    for (const runCommand of [undefined, null, '', [], ['', '  '], '\n\n']) {
      const parsed = parse(runCommand === undefined ? {} : { runCommand });
      assert.equal(parsed.ok, false, JSON.stringify(runCommand));
      assert.match((parsed as { message: string }).message, /^aws:runShellScript: the input runCommand is (required|empty)/);
    }
  });

  it('runCommand of the wrong type names the problem', () => {
    assert.deepEqual(parse({ runCommand: 42 }), { ok: false, message: 'aws:runShellScript: the input runCommand must be a string or a list of strings, not a number' });
    assert.deepEqual(parse({ runCommand: ['echo', 1] }), {
      ok: false,
      message: 'aws:runShellScript: the input runCommand must be a string or a list of strings, not a list containing something other than strings',
    });
  });

  it('workingDirectory: "" means the default (AWS-RunShellScript passes ""), a string is kept, other types fail', () => {
    assert.equal((parse({ runCommand: 'x', workingDirectory: '' }) as { inputs: { workingDirectory: unknown } }).inputs.workingDirectory, undefined);
    assert.equal((parse({ runCommand: 'x', workingDirectory: '/srv' }) as { inputs: { workingDirectory: unknown } }).inputs.workingDirectory, '/srv');
    assert.deepEqual(parse({ runCommand: 'x', workingDirectory: ['/srv'] }), {
      ok: false,
      message: 'aws:runShellScript: the input workingDirectory must be a string, not a list containing something other than strings',
    });
  });

  it('timeoutSeconds is accepted as a number or a string (SSM passes "3600"); the runner enforces it', () => {
    assert.ok(parse({ runCommand: 'x', timeoutSeconds: '3600' }).ok);
    assert.ok(parse({ runCommand: 'x', timeoutSeconds: 60 }).ok);
    assert.equal(parse({ runCommand: 'x', timeoutSeconds: { s: 1 } }).ok, false);
  });

  it('other inputs (id, ...) are ignored, as SSM does', () => {
    assert.ok(parse({ id: '0.aws:runShellScript', runCommand: 'x' }).ok);
  });
});
