import assert from 'node:assert/strict';
import { ParameterError, ParameterValidationError, parseDocument, resolveParameters } from '../src/index.js';
import type { CommandDocument } from '../src/index.js';
import { readCorpusJson, skipWithoutCorpus } from './support/corpus.js';

type Json = Record<string, unknown>;

function documentWith(parameters: Json, name = 'Params'): CommandDocument {
  const content = {
    schemaVersion: '2.2',
    parameters,
    mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['true'] } }],
  };
  return parseDocument(JSON.stringify(content), { name });
}

function refusal(document: CommandDocument, given: Json): ParameterValidationError {
  try {
    resolveParameters(document, given);
  } catch (error) {
    assert.ok(error instanceof ParameterValidationError, String(error));
    assert.ok(error instanceof ParameterError);
    return error;
  }
  return assert.fail('expected the parameters to be refused');
}

describe('resolveParameters: AWS-RunShellScript, derived', () => {
  let runShellScript: Json;
  before(function () {
    skipWithoutCorpus(this);
    runShellScript = readCorpusJson('command/AWS-RunShellScript.json') as Json;
  });

  it('takes SSM API shaped values (Record<string, string[]>) and applies defaults', () => {
    const doc = parseDocument(JSON.stringify(runShellScript), { name: 'AWS-RunShellScript' });
    assert.deepEqual(resolveParameters(doc, { commands: ['echo hi', 'uname -a'] }), {
      commands: ['echo hi', 'uname -a'],
      workingDirectory: '',
      executionTimeout: '3600',
    });
    assert.deepEqual(resolveParameters(doc, { commands: ['ls'], workingDirectory: ['/tmp'], executionTimeout: ['60'] }), {
      commands: ['ls'],
      workingDirectory: '/tmp',
      executionTimeout: '60',
    });
  });

  it('requires commands, which has no default', () => {
    const doc = parseDocument(JSON.stringify(runShellScript), { name: 'AWS-RunShellScript' });
    const error = refusal(doc, {});
    assert.equal(error.parameter, 'commands');
    assert.equal(error.message, 'Parameter "commands" is required: it has no default and no value was given');
  });

  it('rejects a shell injection once an allowedPattern is added', () => {
    const content = structuredClone(runShellScript) as { parameters: { commands: Json } };
    content.parameters.commands['allowedPattern'] = '^[a-zA-Z0-9]+$';
    const doc = parseDocument(JSON.stringify(content), { name: 'AWS-RunShellScript-Strict' });
    const error = refusal(doc, { commands: ['hostname', 'x; touch /tmp/pwned'] });
    assert.equal(error.document, 'AWS-RunShellScript-Strict');
    assert.equal(error.parameter, 'commands');
    assert.equal(error.message, 'Parameter "commands" value "x; touch /tmp/pwned" does not match pattern ^[a-zA-Z0-9]+$');
    assert.deepEqual(resolveParameters(doc, { commands: ['hostname'] })['commands'], ['hostname']);
  });

  it('applies the unanchored executionTimeout pattern as SSM Agent does', () => {
    const doc = parseDocument(JSON.stringify(runShellScript), { name: 'AWS-RunShellScript' });
    assert.match(refusal(doc, { commands: ['ls'], executionTimeout: ['0'] }).message, /value "0" does not match pattern/);
  });

  it('enforces minItems and maxChars', () => {
    const doc = parseDocument(JSON.stringify(runShellScript), { name: 'AWS-RunShellScript' });
    assert.equal(refusal(doc, { commands: [] }).message, 'Parameter "commands" has 0 items, fewer than minItems 1');
    assert.match(refusal(doc, { commands: ['ls'], workingDirectory: 'x'.repeat(4097) }).message, /is longer than maxChars 4096$/);
  });
});

describe('resolveParameters: types', () => {
  const doc = documentWith({
    Text: { type: 'String', default: 'x' },
    List: { type: 'StringList', default: ['a'] },
    Count: { type: 'Integer', default: 1 },
    Flag: { type: 'Boolean', default: false },
    Map: { type: 'StringMap', default: '{}' },
    Maps: { type: 'MapList', default: [] },
  });

  it('converts each type from JSON values and from API strings', () => {
    assert.deepEqual(resolveParameters(doc, {}), { Text: 'x', List: ['a'], Count: 1, Flag: false, Map: {}, Maps: [] });
    assert.deepEqual(
      resolveParameters(doc, {
        Text: ['hello'],
        List: 'one',
        Count: ['42'],
        Flag: ['TRUE'],
        Map: ['{"Env":"Prod"}'],
        Maps: ['{"a":"1"}', '{"b":"2"}'],
      }),
      { Text: 'hello', List: ['one'], Count: 42, Flag: true, Map: { Env: 'Prod' }, Maps: [{ a: '1' }, { b: '2' }] },
    );
    assert.deepEqual(resolveParameters(doc, { Count: -7, Maps: '[{"c":"3"}]', Text: 12 })['Maps'], [{ c: '3' }]);
  });

  it('refuses values of the wrong type, all at once', () => {
    const error = refusal(doc, { Count: 'abc', Flag: 'yes', Map: 'not json', Maps: [1], List: [1], Text: ['a', 'b'] });
    assert.deepEqual(
      error.problems.map((p) => p.problem),
      [
        'Parameter "Text" value ["a","b"] is a list of 2 values; a String takes one',
        'Parameter "List" value [1] is not a StringList: item 0 is not a string',
        'Parameter "Count" value "abc" is not a valid Integer',
        'Parameter "Flag" value "yes" is not a valid Boolean (true or false)',
        'Parameter "Map" value "not json" is not a StringMap (an object, or its JSON text)',
        'Parameter "Maps" value [1] is not a MapList: item 0 is not an object',
      ],
    );
    assert.equal(error.parameter, 'Text');
    assert.equal(error.message.split('\n').length, 6);
  });

  it('refuses decimals and integers beyond 32 bits', () => {
    assert.match(refusal(doc, { Count: '3.5' }).message, /not a valid Integer/);
    assert.match(refusal(doc, { Count: 2 ** 31 }).message, /out of range for an Integer/);
  });

  it('refuses parameters the document does not define', () => {
    const error = refusal(doc, { Nope: 'x' });
    assert.equal(error.parameter, 'Nope');
    assert.equal(error.message, 'Parameter "Nope" is not defined in document "Params"');
    assert.match(refusal(doc, { constructor: 'x' }).message, /"constructor" is not defined/);
  });
});

describe('resolveParameters: checks', () => {
  it('checks allowedValues on a String and on each StringList item', () => {
    const doc = documentWith({
      Action: { type: 'String', allowedValues: ['Install', 'Uninstall'], default: 'Install' },
      Names: { type: 'StringList', allowedValues: ['a', 'b'], default: ['a'] },
    });
    assert.equal(refusal(doc, { Action: 'Repair' }).message, 'Parameter "Action" value "Repair" is not one of the allowed values: Install, Uninstall');
    assert.match(refusal(doc, { Names: ['a', 'c'] }).message, /value "c" is not one of the allowed values/);
  });

  it('checks Integer and Boolean allowedValues by their text, and maps by their JSON', () => {
    const doc = documentWith({
      Size: { type: 'Integer', allowedValues: [1, 2], default: 1 },
      Tags: { type: 'StringMap', allowedPattern: '^\\{"Env":"(Dev|Prod)"\\}$', default: { Env: 'Dev' } },
    });
    assert.deepEqual(resolveParameters(doc, { Size: '2' }), { Size: 2, Tags: { Env: 'Dev' } });
    assert.match(refusal(doc, { Size: 3 }).message, /value "3" is not one of the allowed values: 1, 2/);
    assert.match(refusal(doc, { Tags: { Env: 'Test' } }).message, /value "\{\\"Env\\":\\"Test\\"\}" does not match pattern/);
  });

  it('checks min/max chars per item and min/max items per list or map', () => {
    const doc = documentWith({
      Word: { type: 'String', minChars: 2, maxChars: 4, default: 'ab' },
      Words: { type: 'StringList', maxItems: 2, maxChars: 3, default: ['a'] },
      Env: { type: 'StringMap', minItems: 1, default: { a: '1' } },
    });
    assert.equal(refusal(doc, { Word: 'a' }).message, 'Parameter "Word" value "a" is shorter than minChars 2');
    assert.equal(refusal(doc, { Words: ['a', 'b', 'c'] }).message, 'Parameter "Words" has 3 items, more than maxItems 2');
    assert.match(refusal(doc, { Words: ['abcd'] }).message, /value "abcd" is longer than maxChars 3/);
    assert.equal(refusal(doc, { Env: {} }).message, 'Parameter "Env" has 0 items, fewer than minItems 1');
  });

  it('validates defaults too, since they are what runs when nothing is given', () => {
    const doc = documentWith({ Id: { type: 'String', allowedPattern: '^i-[a-z0-9]{8,17}$', default: '' } });
    assert.match(refusal(doc, {}).message, /Parameter "Id" value "" does not match pattern/);
    assert.deepEqual(resolveParameters(doc, { Id: 'i-0123456789abcdef0' }), { Id: 'i-0123456789abcdef0' });
  });

  it('defers checks on Parameter Store references to the control plane', () => {
    const doc = documentWith({
      Host: { type: 'String', allowedPattern: '^[a-z.]+$' },
      Count: { type: 'Integer', default: 1 },
      Cmds: { type: 'StringList', default: '{{ ssm:myShellCommands }}' },
    });
    assert.deepEqual(resolveParameters(doc, { Host: '{{ssm:/app/host}}', Count: '{{ssm:count}}' }), {
      Host: '{{ssm:/app/host}}',
      Count: '{{ssm:count}}',
      // Kept as written, whatever the type: the control plane replaces the whole reference with the list.
      Cmds: '{{ ssm:myShellCommands }}',
    });
    // The control plane's second call, with the fetched value in place, does check it.
    assert.match(refusal(doc, { Host: 'BAD HOST' }).message, /does not match pattern/);
  });
});
