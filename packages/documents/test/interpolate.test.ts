import assert from 'node:assert/strict';
import { DocumentValidationError, ParameterValidationError, interpolate, parseDocument, parseParameterStoreReference, resolveParameters } from '../src/index.js';
import type { CommandDocument, ResolvedParameters } from '../src/index.js';
import { readCorpusJson, skipWithoutCorpus } from './support/corpus.js';

type Json = Record<string, unknown>;

function parse(content: Json, name = 'Doc'): CommandDocument {
  return parseDocument(JSON.stringify(content), { name });
}

function run(content: Json, given: Json): CommandDocument {
  const doc = parse(content);
  return interpolate(doc, resolveParameters(doc, given));
}

function shellDoc(inputs: Json, parameters: Json, action = 'aws:runShellScript'): Json {
  return { schemaVersion: '2.2', parameters, mainSteps: [{ action, name: 'step', inputs }] };
}

describe('interpolate: SSM Agent substitution rules', () => {
  const parameters = {
    Text: { type: 'String' },
    List: { type: 'StringList' },
    Map: { type: 'StringMap' },
    Count: { type: 'Integer' },
  };
  const values = { Text: 'hello', List: ['a', 'b'], Map: { b: '<x>', a: 'y & z' }, Count: 3 };

  it('replaces a string that is exactly one reference by the value itself', () => {
    const inputs = { t: '{{Text}}', l: '{{ List }}', m: '{{  Map  }}', c: '{{ Count }}' };
    assert.deepEqual(run(shellDoc(inputs, parameters), values).steps[0]!.inputs, {
      t: 'hello',
      l: ['a', 'b'],
      m: { b: '<x>', a: 'y & z' },
      c: 3,
    });
  });

  it('writes values into longer strings as Go json.Marshal would (sorted keys, HTML-safe escapes)', () => {
    const inputs = { runCommand: ['echo {{ Text }} {{ List }}', 'echo {{Map}} {{Count}}'] };
    assert.deepEqual(run(shellDoc(inputs, parameters), values).steps[0]!.inputs['runCommand'], [
      'echo hello ["a","b"]',
      'echo {"a":"y \\u0026 z","b":"\\u003cx\\u003e"} 3',
    ]);
  });

  it('walks nested lists and maps, and leaves keys alone', () => {
    const inputs = { '{{ Text }}': { deep: [['{{ Text }}!']] } };
    assert.deepEqual(run(shellDoc(inputs, parameters), values).steps[0]!.inputs, { '{{ Text }}': { deep: [['hello!']] } });
  });

  it('turns $$ into $ inside longer strings only, as SSM Agent does', () => {
    const out = run(shellDoc({ whole: '{{ Text }}', part: 'echo {{ Text }}' }, { Text: { type: 'String' } }), { Text: 'pid $$' });
    assert.deepEqual(out.steps[0]!.inputs, { whole: 'pid $$', part: 'echo pid $' });
  });

  it('substitutes in one pass, leaving undeclared names and Parameter Store references as written', () => {
    const inputs = { runCommand: 'echo {{ A }} {{ item }} {{ssm:/app/x}} {{ global:DATE }}' };
    const out = run(shellDoc(inputs, { A: { type: 'String' }, B: { type: 'String' } }), { A: '{{ B }} {{ ssm:from-value }}', B: 'nope' });
    assert.equal(out.steps[0]!.inputs['runCommand'], 'echo {{ B }} {{ ssm:from-value }} {{ item }} {{ssm:/app/x}} {{ global:DATE }}');
    assert.deepEqual(out.references, ['ssm:/app/x', 'ssm:from-value']);
  });

  it('substitutes settings too, but not preconditions, definitions or content', () => {
    const content = {
      schemaVersion: '2.2',
      parameters: { Mode: { type: 'String', description: '{{ Mode }}' } },
      mainSteps: [
        {
          action: 'aws:runShellScript',
          name: 'step',
          precondition: { StringEquals: ['{{ Mode }}', 'fast'] },
          settings: { mode: '{{ Mode }}' },
          inputs: { runCommand: 'run {{ Mode }}' },
        },
      ],
    };
    const doc = parse(content);
    const out = interpolate(doc, { Mode: 'fast' });
    assert.deepEqual(out.steps[0]!.settings, { mode: 'fast' });
    assert.deepEqual(out.steps[0]!.precondition, { StringEquals: ['{{ Mode }}', 'fast'] });
    assert.equal(out.parameters['Mode']?.description, '{{ Mode }}');
    assert.deepEqual(out.content, content);
    assert.equal(doc.steps[0]!.inputs['runCommand'], 'run {{ Mode }}');
  });

  it('needs a value for every declared parameter', () => {
    const doc = parse(shellDoc({ runCommand: '{{ A }}' }, { A: { type: 'String' } }));
    assert.throws(() => interpolate(doc, {} as ResolvedParameters), (error: unknown) => error instanceof ParameterValidationError && error.parameter === 'A');
  });
});

describe('interpolate: interpolationType ENV_VAR', () => {
  const parameters = {
    Message: { type: 'String', interpolationType: 'ENV_VAR' },
    Dir: { type: 'String', default: '/tmp' },
  };
  const injection = 'x; touch /tmp/pwned';

  it('gives shell steps ${SSM_name} and the value in env, never in the script', () => {
    const inputs = { runCommand: ['echo {{Message}}', 'echo "{{ Message }}"_suffix in {{ Dir }}', '{{ Message }}'], workingDirectory: '{{ Dir }}' };
    const step = run(shellDoc(inputs, parameters), { Message: injection }).steps[0]!;
    assert.deepEqual(step.inputs['runCommand'], ['echo ${SSM_Message}', 'echo "${SSM_Message}"_suffix in /tmp', '${SSM_Message}']);
    assert.equal(step.inputs['workingDirectory'], '/tmp');
    assert.deepEqual(step.env, { SSM_Message: injection });
    assert.ok(!JSON.stringify(step.inputs).includes('touch'));
  });

  it('gives PowerShell steps ${env:SSM_name}', () => {
    const step = run(shellDoc({ runCommand: 'Write-Output "{{ Message }}"' }, parameters, 'aws:runPowerShellScript'), { Message: injection }).steps[0]!;
    assert.equal(step.inputs['runCommand'], 'Write-Output "${env:SSM_Message}"');
    assert.deepEqual(step.env, { SSM_Message: injection });
  });

  it('sets env on every script step, and substitutes as usual outside runCommand and script actions', () => {
    const content = {
      schemaVersion: '2.2',
      parameters,
      mainSteps: [
        { action: 'aws:runShellScript', name: 'plain', inputs: { runCommand: 'env' } },
        { action: 'aws:runDocument', name: 'nested', inputs: { documentParameters: '{"m":"{{ Message }}"}' } },
      ],
    };
    const out = run(content, { Message: 'hi' });
    assert.deepEqual(out.steps[0]!.env, { SSM_Message: 'hi' });
    assert.equal(out.steps[1]!.env, undefined);
    assert.equal(out.steps[1]!.inputs['documentParameters'], '{"m":"hi"}');
  });

  it('applies to 1.2 script plugins too, and lists references that reach env', () => {
    const content = {
      schemaVersion: '1.2',
      parameters,
      runtimeConfig: { 'aws:runShellScript': { properties: [{ id: '0.aws:runShellScript', runCommand: ['echo {{ Message }}'] }] } },
    };
    const out = run(content, { Message: '{{ssm:/greeting}}' });
    assert.deepEqual(out.steps[0]!.inputs['runCommand'], ['echo ${SSM_Message}']);
    assert.deepEqual(out.steps[0]!.env, { SSM_Message: '{{ssm:/greeting}}' });
    assert.deepEqual(out.references, ['ssm:/greeting']);
  });
});

describe('interpolate: SSM Agent sendCommand payloads, before and after substitution', () => {
  before(function () {
    skipWithoutCorpus(this);
  });

  for (const version of ['1.2', '2.0', '2.2']) {
    it(`schema ${version}: substituting the payload's Parameters gives the replacedParams document`, () => {
      const payload = readCorpusJson(`agent-testdata/messages/sendCommand-payload-${version}.json`) as Json;
      const expected = readCorpusJson(`agent-testdata/messages/sendCommand-payload-${version}-replacedParams.json`) as Json;
      const doc = parseDocument(JSON.stringify(payload['DocumentContent']), { name: String(payload['DocumentName']) });
      const values = resolveParameters(doc, payload['Parameters'] as Json);
      const out = interpolate(doc, values);
      const after = parseDocument(JSON.stringify(expected['DocumentContent']), { name: String(expected['DocumentName']) });
      assert.ok(out.steps.length > 0);
      assert.deepEqual(out.steps, after.steps);
    });
  }

  it('schema 1.2: a StringList reference becomes the list itself', () => {
    const payload = readCorpusJson('agent-testdata/messages/sendCommand-payload-1.2.json') as Json;
    const doc = parseDocument(JSON.stringify(payload['DocumentContent']), { name: 'AWS-RunPowerShellScript' });
    const step = interpolate(doc, resolveParameters(doc, payload['Parameters'] as Json)).steps[0]!;
    assert.deepEqual(step.inputs, { id: '0.aws:runScript', runCommand: ['echo hello', 'ls'], timeoutSeconds: '1000', workingDirectory: '' });
  });

  it('refuses the 9999.0 payload and the retired 1.1 schema in GetMessages', () => {
    const payload = readCorpusJson('agent-testdata/messages/sendCommand-payload-9999-unsupported.json') as Json;
    assert.throws(() => parseDocument(JSON.stringify(payload['DocumentContent']), { name: 'ship-it' }), /ship-it: schemaVersion: unsupported schemaVersion "9999\.0"/);
    const response = readCorpusJson('agent-testdata/messages/ec2messages-GetMessages-response.json') as { Messages: Array<{ Payload: string }> };
    const inner = JSON.parse(response.Messages[0]!.Payload) as Json;
    assert.throws(
      () => parseDocument(JSON.stringify(inner['DocumentContent']), { name: 'AWS-RunPowerShellScript' }),
      (error: unknown) => error instanceof DocumentValidationError && error.problem === 'unsupported schemaVersion "1.1"; command documents use 1.2, 2.0, 2.2',
    );
  });
});

describe('parseParameterStoreReference', () => {
  it('splits prefix, name and selector', () => {
    assert.deepEqual(parseParameterStoreReference('ssm:/app/db-host'), { secure: false, name: '/app/db-host' });
    assert.deepEqual(parseParameterStoreReference('ssm:MyRunCommandParameter:2'), { secure: false, name: 'MyRunCommandParameter', selector: '2' });
    assert.deepEqual(parseParameterStoreReference('ssm-secure:db.password:prod'), { secure: true, name: 'db.password', selector: 'prod' });
    assert.equal(parseParameterStoreReference('global:DATE'), undefined);
  });
});
