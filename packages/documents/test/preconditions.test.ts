import assert from 'node:assert/strict';
import { evaluatePrecondition, parseDocument, resolveParameters, resolvePrecondition } from '../src/index.js';
import type { Precondition, Step } from '../src/index.js';
import { readCorpusJson, skipWithoutCorpus } from './support/corpus.js';

type Json = Record<string, unknown>;

function step(precondition: Precondition | undefined, name = 'step'): Step {
  const written: Step = { name, action: 'aws:runShellScript', inputs: {} };
  if (precondition) written.precondition = precondition;
  return written;
}

describe('evaluatePrecondition: platformType', () => {
  it('runs a step whose platform matches, in either order and any case, and skips it elsewhere', () => {
    const linux = step({ StringEquals: ['platformType', 'Linux'] }, 'linuxOnly');
    assert.deepEqual(evaluatePrecondition(linux, { platformType: 'Linux', parameters: {} }), { run: true, outcome: 'run' });
    assert.deepEqual(evaluatePrecondition(step({ StringEquals: ['linux', 'platformType'] }), { platformType: 'Linux', parameters: {} }), { run: true, outcome: 'run' });
    assert.deepEqual(evaluatePrecondition(linux, { platformType: 'Windows', parameters: {} }), {
      run: false,
      outcome: 'skip',
      reason: `Step execution skipped due to unsatisfied preconditions: '"StringEquals": [platformType, Linux]'. Step name: linuxOnly`,
    });
    assert.equal(evaluatePrecondition(step({ StringEquals: ['platformType', 'MacOS'] }), { platformType: 'MacOS', parameters: {} }).run, true);
  });

  it('runs a step without a precondition', () => {
    assert.deepEqual(evaluatePrecondition(step(undefined), { platformType: 'Windows', parameters: {} }), { run: true, outcome: 'run' });
  });
});

describe('evaluatePrecondition: parameter values', () => {
  it('compares the resolved arguments', () => {
    const fast = step({ StringEquals: ['{{ Mode }}', 'fast'] }, 'onlyFast');
    assert.equal(evaluatePrecondition(fast, { platformType: 'Linux', parameters: { Mode: 'fast' } }).run, true);
    assert.deepEqual(evaluatePrecondition(fast, { platformType: 'Linux', parameters: { Mode: 'slow' } }), {
      run: false,
      outcome: 'skip',
      reason: `Step execution skipped due to unsatisfied preconditions: '"StringEquals": [{{ Mode }}, fast]'. Step name: onlyFast`,
    });
  });

  it('fails the step where SSM Agent refuses to evaluate', () => {
    const context = { platformType: 'Linux' as const, parameters: { Mode: 'x' } };
    const cases: Array<[Precondition, RegExp]> = [
      [{ StringEquals: ['{{ Mode }}', '{{ Mode }}'] }, /operator's arguments can't be identical/],
      [{ StringEquals: ['platformType', 'platformType'] }, /\[platformType, platformType\]/],
      [{ StringEquals: ['{{ ssm:param }}', 'foo'] }, /can't contain Parameter Store references/],
      [{ StringEquals: ['{{ ssm-secure:param }}', 'foo'] }, /can't contain Parameter Store references/],
      [{ StringEquals: ['foo', 'bar'] }, /must contain a valid document parameter/],
      [{ StringEquals: ['platformType', '{{ Mode }}'] }, /platformType variable can't contain document parameters/],
      [{ StringEquals: ['a'] }, /accepts exactly 2 arguments/],
      [{ StringLike: ['platformType', 'Linux'] }, /unrecognized operator: "StringLike"/],
    ];
    for (const [precondition, reason] of cases) {
      const verdict = evaluatePrecondition(step(precondition, 'guarded'), context);
      assert.equal(verdict.outcome, 'fail', JSON.stringify(precondition));
      assert.equal(verdict.run, false);
      assert.match(verdict.reason ?? '', reason);
      assert.match(verdict.reason ?? '', /Step name: guarded$/);
    }
  });

  it('resolves lists as their JSON text', () => {
    const resolved = resolvePrecondition({ StringEquals: ['{{ Names }}', 'x'] }, { Names: ['a', 'b'] });
    assert.deepEqual(resolved, { StringEquals: [{ initial: '{{ Names }}', resolved: '["a","b"]' }, { initial: 'x', resolved: 'x' }] });
  });
});

describe("preconditions: SSM Agent's docparser fixtures", () => {
  before(function () {
    skipWithoutCorpus(this);
  });

  const fixtures = [
    'sampleMessageWithInvalidParamPrecondition',
    'sampleMessageWithMixedPrecondition',
    'sampleMessageWithParamPrecondition',
    'sampleMessageWithPlatformPrecondition',
    'sampleMessageWithSecureSsmParamPrecondition',
    'sampleMessageWithSsmParamPrecondition',
    'sampleMessageWithTwoParamsPrecondition',
  ];

  it('resolves every fixture as sampleResolvedMessagePreconditions.json expects', () => {
    const expected = readCorpusJson('agent-testdata/documents/docparser-sampleResolvedMessagePreconditions.expected.json') as Record<
      string,
      Record<string, Array<{ InitialArgumentValue: string; ResolvedArgumentValue: string }>>
    >;
    // SSM Agent's test passes the whole params file as the parameter map; messagePrecondition is the one used.
    const params = readCorpusJson('agent-testdata/documents/docparser-sampleMessageParameters.params.json') as Json;
    const parameters = { messagePrecondition: String(params['messagePrecondition']) };
    for (const fixture of fixtures) {
      const content = readCorpusJson(`agent-testdata/documents/docparser-${fixture}.json`) as { mainSteps: Array<{ precondition: Precondition }> };
      // Resolution is checked on the written precondition, so the invalid fixture is covered too.
      const declared = Object.keys((content as unknown as { parameters?: Json }).parameters ?? {});
      const values = Object.fromEntries(Object.entries(parameters).filter(([name]) => declared.includes(name)));
      const resolved = resolvePrecondition(content.mainSteps[0]!.precondition, values);
      const want = Object.fromEntries(
        Object.entries(expected[`testdata/${fixture}.json`]!).map(([operator, args]) => [
          operator,
          args.map((arg) => ({ initial: arg.InitialArgumentValue, resolved: arg.ResolvedArgumentValue })),
        ]),
      );
      assert.deepEqual(resolved, want, fixture);
    }
  });

  it('evaluates the parsed fixtures as SSM Agent would on Windows', () => {
    const outcomes: Record<string, string> = {};
    for (const fixture of fixtures.filter((name) => name !== 'sampleMessageWithInvalidParamPrecondition')) {
      const doc = parseDocument(JSON.stringify(readCorpusJson(`agent-testdata/documents/docparser-${fixture}.json`)), { name: fixture });
      const given = Object.hasOwn(doc.parameters, 'messagePrecondition') ? { messagePrecondition: 'MessagePreconditionValue' } : {};
      outcomes[fixture] = evaluatePrecondition(doc.steps[0]!, { platformType: 'Windows', parameters: resolveParameters(doc, given) }).outcome;
    }
    assert.deepEqual(outcomes, {
      sampleMessageWithMixedPrecondition: 'run',
      sampleMessageWithParamPrecondition: 'run',
      sampleMessageWithPlatformPrecondition: 'run',
      sampleMessageWithSecureSsmParamPrecondition: 'fail',
      sampleMessageWithSsmParamPrecondition: 'fail',
      sampleMessageWithTwoParamsPrecondition: 'fail',
    });
  });

  it('skips the Windows-only step of the cross-platform 2.2 sample on Linux and runs the Linux one', () => {
    const doc = parseDocument(JSON.stringify(readCorpusJson('agent-testdata/documents/docparser-sampleMessageVersion2_2.json')), { name: 'x' });
    const values = resolveParameters(doc, { commands: ['echo ship_it'] });
    assert.deepEqual(
      doc.steps.map((s) => evaluatePrecondition(s, { platformType: 'Linux', parameters: values }).outcome),
      ['skip', 'run'],
    );
  });
});
