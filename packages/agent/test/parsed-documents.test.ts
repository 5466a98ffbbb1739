import assert from 'node:assert/strict';
import { DocumentError, interpolate, resolveParameters } from '@tender/documents';
import { ParsedDocuments } from '../src/runner/parsed-documents.js';

const shellDocument = (commands = '{{ commands }}') =>
  JSON.stringify({
    schemaVersion: '2.2',
    description: 'run a shell script',
    parameters: { commands: { type: 'StringList', description: 'the commands', minItems: 1 } },
    mainSteps: [{ action: 'aws:runShellScript', name: 'runShellScript', inputs: { runCommand: commands, timeoutSeconds: '60' } }],
  });

describe('agent runner: parsed documents kept for the next command', () => {
  it('parses a document once: the same name and text give the same document, deeply frozen', () => {
    const parsed = new ParsedDocuments();
    const first = parsed.parse(shellDocument(), 'Shell');
    assert.equal(parsed.parse(shellDocument(), 'Shell'), first, 'the second command finds it parsed');
    assert.notEqual(parsed.parse(shellDocument(), 'OtherName'), first, 'the name is part of the key (errors and results carry it)');
    assert.notEqual(parsed.parse(shellDocument('{{ commands }} # changed'), 'Shell'), first);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.steps) && Object.isFrozen(first.steps[0]!.inputs) && Object.isFrozen(first.parameters.commands));
    assert.throws(() => {
      (first.steps[0]!.inputs as Record<string, unknown>).runCommand = ['rm -rf /'];
    }, TypeError, 'a run cannot change the document the next run gets');
  });

  it('each run of a kept document gets its own parameter values, and the kept document is left as it was', () => {
    const parsed = new ParsedDocuments();
    const run = (commands: string[]) => {
      const document = parsed.parse(shellDocument(), 'Shell');
      return interpolate(document, resolveParameters(document, { commands })).steps[0]!.inputs.runCommand;
    };
    assert.deepEqual(run(['echo one']), ['echo one']);
    assert.deepEqual(run(['echo two', 'echo three']), ['echo two', 'echo three']);
    assert.equal(parsed.parse(shellDocument(), 'Shell').steps[0]!.inputs.runCommand, '{{ commands }}');
  });

  it('keeps no document that fails to parse: its error comes every time', () => {
    const parsed = new ParsedDocuments();
    for (let i = 0; i < 2; i++) assert.throws(() => parsed.parse('{"schemaVersion": "9.9"}', 'Broken'), (error: unknown) => error instanceof DocumentError && /Broken/.test(error.message));
  });

  it('keeps the most recently used documents, up to its limit', () => {
    const parsed = new ParsedDocuments(2);
    const a = parsed.parse(shellDocument('a'), 'A');
    const b = parsed.parse(shellDocument('b'), 'B');
    assert.equal(parsed.parse(shellDocument('a'), 'A'), a, 'A used again: B is now the oldest');
    parsed.parse(shellDocument('c'), 'C');
    assert.equal(parsed.parse(shellDocument('a'), 'A'), a, 'A was kept');
    assert.notEqual(parsed.parse(shellDocument('b'), 'B'), b, 'B was dropped, and parsed again');
  });
});
