import assert from 'node:assert/strict';
import { DocumentValidationError, parseDocument } from '../src/index.js';
import type { DocumentProblem } from '../src/index.js';

type Json = Record<string, unknown>;

function doc22(mainSteps: unknown[], parameters: Json = {}): Json {
  return { schemaVersion: '2.2', parameters, mainSteps };
}

function shell(name: string, inputs: Json = { runCommand: ['date'] }, extra: Json = {}): Json {
  return { action: 'aws:runShellScript', name, inputs, ...extra };
}

function problems(document: Json, name = 'Doc'): DocumentProblem[] {
  try {
    parseDocument(JSON.stringify(document), { name });
  } catch (error) {
    assert.ok(error instanceof DocumentValidationError, `expected DocumentValidationError, got ${String(error)}`);
    assert.equal(error.document, name);
    assert.equal(error.path, error.problems[0]!.path);
    return [...error.problems];
  }
  return assert.fail('expected the document to be refused');
}

function expectProblem(document: Json, path: string, problem: RegExp): void {
  const found = problems(document);
  assert.ok(
    found.some((p) => p.path === path && problem.test(p.problem)),
    `no problem at ${path} matching ${problem}; got:\n${found.map((p) => `${p.path}: ${p.problem}`).join('\n')}`,
  );
}

describe('validation: mainSteps (2.0, 2.2)', () => {
  it('refuses duplicate step names, naming both places', () => {
    expectProblem(doc22([shell('a'), shell('b'), shell('a')]), 'mainSteps[2].name', /duplicate step name "a" \(also mainSteps\[0\]\)/);
  });

  it('requires an action and a name, and checks their form', () => {
    expectProblem(doc22([{ name: 'x', inputs: {} }]), 'mainSteps[0].action', /every step needs an action/);
    expectProblem(doc22([{ action: 'aws:runShellScript', inputs: {} }]), 'mainSteps[0].name', /every step needs a name/);
    expectProblem(doc22([shell('has space')]), 'mainSteps[0].name', /must be 1 to 100 letters/);
    expectProblem(doc22([shell('..')]), 'mainSteps[0].name', /not starting with \./);
    expectProblem(doc22([shell('x'.repeat(101))]), 'mainSteps[0].name', /1 to 100/);
    expectProblem(doc22([{ ...shell('x'), action: 'runShellScript' }]), 'mainSteps[0].action', /must look like aws:runShellScript/);
  });

  it('accepts step names of letters, digits, _, . and - and unknown aws: actions', () => {
    const doc = parseDocument(JSON.stringify(doc22([shell('step_1.a-b'), { action: 'aws:notARealPlugin', name: 'n', inputs: {} }])), { name: 'D' });
    assert.deepEqual(doc.actions, ['aws:runShellScript', 'aws:notARealPlugin']);
  });

  it('reports every problem at once, each with its path, and a message per line', () => {
    const document = doc22([shell('a'), { name: 'a' }, shell('b', { runCommand: 42 })]);
    const found = problems(document, 'Many');
    assert.deepEqual(
      found.map((p) => p.path),
      ['mainSteps[1].action', 'mainSteps[1].name', 'mainSteps[2].inputs.runCommand'],
    );
    try {
      parseDocument(JSON.stringify(document), { name: 'Many' });
    } catch (error) {
      assert.equal((error as Error).message.split('\n').length, 3);
      assert.match((error as Error).message, /^Many: mainSteps\[1\]\.action: every step needs an action/);
    }
  });

  it('requires mainSteps for 2.x and runtimeConfig for 1.2, and not the other', () => {
    expectProblem({ schemaVersion: '2.0' }, 'mainSteps', /mainSteps is required for schemaVersion 2\.0/);
    expectProblem({ schemaVersion: '2.2', mainSteps: [] }, 'mainSteps', /at least one step/);
    expectProblem({ ...doc22([shell('a')]), runtimeConfig: {} }, 'runtimeConfig', /runtimeConfig is for schemaVersion 1\.2/);
    expectProblem({ schemaVersion: '1.2', mainSteps: [shell('a')] }, 'mainSteps', /use runtimeConfig/);
    expectProblem({ ...doc22([shell('a')]), outputs: [] }, 'outputs', /unexpected top-level key "outputs"/);
  });

  it('knows step keys, and says where shared inputs and Automation keys belong', () => {
    expectProblem(doc22([shell('a', undefined, { input: {} })]), 'mainSteps[0].input', /unknown step key "input"/);
    expectProblem(doc22([shell('a', undefined, { onSuccess: 'exit' })]), 'mainSteps[0].onSuccess', /goes inside inputs/);
    expectProblem(doc22([shell('a', undefined, { isEnd: true })]), 'mainSteps[0].isEnd', /Automation step key/);
    expectProblem(doc22([shell('a', undefined, { onFailure: 'exit' })]), 'mainSteps[0].onFailure', /goes inside inputs/);
  });

  it("accepts the zero values SSM Agent's tooling writes beside a step", () => {
    const written = shell('a', undefined, { onFailure: '', maxAttempts: 0, timeoutSeconds: 0, settings: null });
    const step = parseDocument(JSON.stringify(doc22([written])), { name: 'D' }).steps[0]!;
    assert.equal(step.onFailure, undefined);
    assert.equal(step.timeoutSeconds, undefined);
    assert.equal(step.settings, undefined);
    expectProblem(doc22([shell('a', undefined, { timeoutSeconds: -1 })]), 'mainSteps[0].timeoutSeconds', /whole number/);
  });

  it('reads onFailure, onSuccess and finallyStep from inputs, and checks them', () => {
    const doc = parseDocument(
      JSON.stringify(
        doc22([
          shell('a', { runCommand: 'x', onFailure: 'successAndExit' }),
          shell('b', { runCommand: 'x', onSuccess: 'exit' }),
          shell('c', { runCommand: 'x', finallyStep: 'true' }),
        ]),
      ),
      { name: 'D' },
    );
    assert.deepEqual(
      doc.steps.map(({ onFailure, onSuccess, finallyStep }) => ({ onFailure, onSuccess, finallyStep })),
      [
        { onFailure: 'successAndExit', onSuccess: undefined, finallyStep: undefined },
        { onFailure: undefined, onSuccess: 'exit', finallyStep: undefined },
        { onFailure: undefined, onSuccess: undefined, finallyStep: true },
      ],
    );
    expectProblem(doc22([shell('a', { onFailure: 'Abort' })]), 'mainSteps[0].inputs.onFailure', /exit or successAndExit/);
    expectProblem(doc22([shell('a', { onSuccess: 'continue' })]), 'mainSteps[0].inputs.onSuccess', /must be exit/);
    expectProblem(doc22([shell('a', { finallyStep: true }), shell('b')]), 'mainSteps[0].inputs.finallyStep', /only on the last step/);
  });

  it('checks literal timeoutSeconds and runCommand of script steps', () => {
    expectProblem(doc22([shell('a', { runCommand: 'x', timeoutSeconds: 'soon' })]), 'mainSteps[0].inputs.timeoutSeconds', /from 5 to 172800/);
    expectProblem(doc22([shell('a', { runCommand: 'x', timeoutSeconds: 200000 })]), 'mainSteps[0].inputs.timeoutSeconds', /from 5 to 172800/);
    expectProblem(doc22([shell('a', { runCommand: ['ok', { no: 1 }] })]), 'mainSteps[0].inputs.runCommand', /string or a list of strings/);
    const ok = doc22([shell('a', { runCommand: [['a', 'b'], 'c'], timeoutSeconds: '{{ t }}' })], { t: { type: 'String', default: '60' } });
    assert.equal(parseDocument(JSON.stringify(ok), { name: 'D' }).steps.length, 1);
  });
});

describe('validation: preconditions', () => {
  const windows = { StringEquals: ['platformType', 'Windows'] };

  it('accepts platformType and parameter comparisons in 2.2', () => {
    const doc = parseDocument(
      JSON.stringify(doc22([shell('a', undefined, { precondition: windows }), shell('b', undefined, { precondition: { StringEquals: ['{{ Mode }}', 'fast'] } })], { Mode: { type: 'String' } })),
      { name: 'D' },
    );
    assert.deepEqual(doc.steps[0]!.precondition, windows);
    assert.deepEqual(doc.steps[1]!.precondition, { StringEquals: ['{{ Mode }}', 'fast'] });
  });

  it('refuses preconditions before 2.2', () => {
    expectProblem({ ...doc22([shell('a', undefined, { precondition: windows })]), schemaVersion: '2.0' }, 'mainSteps[0].precondition', /requires schemaVersion 2\.2/);
  });

  it('refuses other operators, argument counts and platform names', () => {
    expectProblem(doc22([shell('a', undefined, { precondition: { StringLike: ['platformType', 'Linux'] } })]), 'mainSteps[0].precondition.StringLike', /supports only StringEquals/);
    expectProblem(doc22([shell('a', undefined, { precondition: { StringEquals: ['platformType'] } })]), 'mainSteps[0].precondition.StringEquals', /exactly two strings/);
    expectProblem(doc22([shell('a', undefined, { precondition: { StringEquals: ['platformType', 'Ubuntu'] } })]), 'mainSteps[0].precondition.StringEquals[1]', /Linux, MacOS, Windows/);
    expectProblem(doc22([shell('a', undefined, { precondition: 'Linux' })]), 'mainSteps[0].precondition', /must be a map/);
  });

  it('refuses a reference to an undeclared parameter', () => {
    expectProblem(
      doc22([shell('a', undefined, { precondition: { StringEquals: ['{{ nope }}', 'foo'] } })]),
      'mainSteps[0].precondition.StringEquals[0]',
      /"\{\{ nope \}\}" refers to parameter "nope", which the document does not declare/,
    );
  });
});

describe('validation: parameters', () => {
  const withParameter = (definition: Json, name = 'P'): Json => doc22([shell('a')], { [name]: definition });

  it('reads every attribute', () => {
    const doc = parseDocument(
      JSON.stringify(
        withParameter({
          type: 'StringList',
          description: 'd',
          default: ['a'],
          allowedValues: ['a', 'b', 3, true],
          allowedPattern: '^[a-z0-9]+$',
          minItems: 1,
          maxItems: '5',
          minChars: 1,
          maxChars: 10,
          displayType: 'textarea',
        }),
      ),
      { name: 'D' },
    );
    assert.deepEqual(doc.parameters['P'], {
      name: 'P',
      type: 'StringList',
      declaredType: 'StringList',
      description: 'd',
      default: ['a'],
      allowedValues: ['a', 'b', '3', 'true'],
      allowedPattern: '^[a-z0-9]+$',
      minItems: 1,
      maxItems: 5,
      minChars: 1,
      maxChars: 10,
      displayType: 'textarea',
    });
  });

  it('reads Array as StringList and nulls as absent', () => {
    const doc = parseDocument(JSON.stringify(withParameter({ type: 'Array', default: null, allowedValues: null, allowedPattern: '' })), { name: 'D' });
    assert.deepEqual(doc.parameters['P'], { name: 'P', type: 'StringList', declaredType: 'Array' });
  });

  it('refuses names SSM Agent would never substitute', () => {
    expectProblem(withParameter({ type: 'String' }, 'my_param'), 'parameters.my_param', /only letters and digits/);
  });

  it('refuses unknown types and attributes, and checks limits', () => {
    expectProblem(withParameter({ type: 'Number' }), 'parameters.P.type', /unknown type "Number"/);
    expectProblem(withParameter({}), 'parameters.P.type', /type is required/);
    expectProblem(withParameter({ type: 'String', allowedValue: ['a'] }), 'parameters.P.allowedValue', /unknown parameter attribute "allowedValue"/);
    expectProblem(withParameter({ type: 'String', minChars: 5, maxChars: 2 }), 'parameters.P.minChars', /greater than maxChars/);
    expectProblem(withParameter({ type: 'String', maxChars: -1 }), 'parameters.P.maxChars', /whole number/);
    expectProblem(withParameter({ type: 'String', displayType: 'dropdown' }), 'parameters.P.displayType', /textarea or textfield/);
  });

  it('checks defaults against the type, but lets Parameter Store references through', () => {
    expectProblem(withParameter({ type: 'Integer', default: 'ten' }), 'parameters.P.default', /default "ten" is not a valid Integer/);
    expectProblem(withParameter({ type: 'StringMap', default: '[1]' }), 'parameters.P.default', /not a StringMap/);
    const doc = parseDocument(JSON.stringify(withParameter({ type: 'StringList', default: '{{ ssm:cmds }}' })), { name: 'D' });
    assert.deepEqual(doc.references, ['ssm:cmds']);
  });

  it('refuses an allowedPattern SSM Agent could not compile', () => {
    expectProblem(withParameter({ type: 'String', allowedPattern: '^(unclosed$' }), 'parameters.P.allowedPattern', /not a valid regular expression/);
    expectProblem(withParameter({ type: 'String', allowedPattern: '^(?!root$).*' }), 'parameters.P.allowedPattern', /lookaround/);
    expectProblem(withParameter({ type: 'String', allowedPattern: '^(a)\\1$' }), 'parameters.P.allowedPattern', /backreference/);
  });

  it('allows interpolationType ENV_VAR on String parameters only', () => {
    const doc = parseDocument(JSON.stringify(withParameter({ type: 'String', interpolationType: 'ENV_VAR' })), { name: 'D' });
    assert.equal(doc.parameters['P']?.interpolationType, 'ENV_VAR');
    expectProblem(withParameter({ type: 'StringList', interpolationType: 'ENV_VAR' }), 'parameters.P.interpolationType', /String parameters only/);
    expectProblem(withParameter({ type: 'String', interpolationType: 'SHELL' }), 'parameters.P.interpolationType', /must be ENV_VAR/);
  });

  it('does not let a parameter named like an Object.prototype member leak in', () => {
    const doc = parseDocument(JSON.stringify(doc22([shell('a')])), { name: 'D' });
    assert.equal(Object.hasOwn(doc.parameters, 'constructor'), false);
    const named = parseDocument(JSON.stringify(withParameter({ type: 'String', default: 'x' }, 'constructor')), { name: 'D' });
    assert.equal(named.parameters['constructor']?.type, 'String');
  });
});

describe('validation: runtimeConfig (1.2)', () => {
  const v12 = (runtimeConfig: unknown): Json => ({ schemaVersion: '1.2', runtimeConfig });

  it('turns each plugin into a step named after it', () => {
    const doc = parseDocument(
      JSON.stringify(v12({ 'aws:runShellScript': { properties: [{ id: '0.aws:runShellScript', runCommand: ['date'] }] }, 'aws:cloudWatch': { properties: '{"a":1}', settings: { s: 1 } } })),
      { name: 'D' },
    );
    assert.deepEqual(doc.steps, [
      { name: 'aws:runShellScript', action: 'aws:runShellScript', inputs: { id: '0.aws:runShellScript', runCommand: ['date'] } },
      { name: 'aws:cloudWatch', action: 'aws:cloudWatch', inputs: { properties: '{"a":1}' }, settings: { s: 1 } },
    ]);
  });

  it('gives one step per properties element, named by their ids (or by position)', () => {
    const byId = parseDocument(JSON.stringify(v12({ 'aws:runShellScript': { properties: [{ id: 'first', runCommand: 'a' }, { id: 'second', runCommand: 'b' }] } })), { name: 'D' });
    assert.deepEqual(byId.steps.map((step) => step.name), ['first', 'second']);
    const byIndex = parseDocument(JSON.stringify(v12({ 'aws:runShellScript': { properties: [{ runCommand: 'a' }, { runCommand: 'b' }] } })), { name: 'D' });
    assert.deepEqual(byIndex.steps.map((step) => step.name), ['aws:runShellScript.0', 'aws:runShellScript.1']);
  });

  it('matches plugin keys without regard to case, as SSM Agent does', () => {
    const doc = parseDocument(JSON.stringify(v12({ 'aws:runScript': { Properties: [{ runCommand: 'a' }] } })), { name: 'D' });
    assert.deepEqual(doc.steps[0]!.inputs, { runCommand: 'a' });
  });

  it('refuses what is not a plugin entry', () => {
    expectProblem(v12({ runtimeConfig: { 'aws:cloudWatch': { properties: 'x' } } }), 'runtimeConfig.runtimeConfig', /not a plugin name/);
    expectProblem(v12({ 'aws:runShellScript': {} }), 'runtimeConfig.aws:runShellScript.properties', /properties is required/);
    expectProblem(v12({ 'aws:runShellScript': { properties: [] } }), 'runtimeConfig.aws:runShellScript.properties', /non-empty list/);
    expectProblem(v12({}), 'runtimeConfig', /map of plugin name/);
    expectProblem({ schemaVersion: '1.2' }, 'runtimeConfig', /required for schemaVersion 1\.2/);
  });
});
