import assert from 'node:assert/strict';
import { DocumentError, DocumentValidationError, parseDocument } from '../src/index.js';

const SHELL_22 = {
  schemaVersion: '2.2',
  description: 'Echo a message',
  parameters: { Message: { type: 'String', default: 'hi' } },
  mainSteps: [{ action: 'aws:runShellScript', name: 'echo', inputs: { runCommand: ['echo {{ Message }}'] } }],
};

function problemsOf(text: string, name = 'Doc'): Array<{ path: string; problem: string }> {
  try {
    parseDocument(text, { name });
  } catch (error) {
    if (error instanceof DocumentValidationError) return error.problems.map(({ path, problem }) => ({ path, problem }));
    if (error instanceof DocumentError) return [{ path: error.path, problem: error.problem }];
    throw error;
  }
  assert.fail('expected the document to be refused');
}

describe('parseDocument: reading text', () => {
  it('detects JSON and builds the model', () => {
    const doc = parseDocument(JSON.stringify(SHELL_22), { name: 'Echo' });
    assert.equal(doc.format, 'JSON');
    assert.equal(doc.documentType, 'Command');
    assert.equal(doc.name, 'Echo');
    assert.equal(doc.schemaVersion, '2.2');
    assert.equal(doc.description, 'Echo a message');
    assert.deepEqual(doc.actions, ['aws:runShellScript']);
    assert.deepEqual(doc.steps.map((step) => step.name), ['echo']);
    assert.equal(doc.parameters['Message']?.type, 'String');
    assert.deepEqual(doc.content, SHELL_22);
  });

  it('detects YAML, including JSON-like flow text that only YAML reads (trailing comma)', () => {
    const yaml = "---\nschemaVersion: '2.2'\nmainSteps:\n- action: aws:runShellScript\n  name: s\n  inputs:\n    runCommand: [date]\n";
    assert.equal(parseDocument(yaml, { name: 'Y' }).format, 'YAML');
    const flow = '{ "schemaVersion": "2.2", "mainSteps": [ {"action": "aws:runShellScript", "name": "s", "inputs": {},}, ], }';
    assert.equal(parseDocument(flow, { name: 'F' }).format, 'YAML');
  });

  it('honours an explicit format', () => {
    const json = JSON.stringify(SHELL_22);
    assert.equal(parseDocument(json, { name: 'Y', format: 'YAML' }).format, 'YAML');
    assert.throws(() => parseDocument('schemaVersion: "2.2"', { name: 'J', format: 'JSON' }), /J: invalid JSON/);
  });

  it('reports broken JSON with a line and column, not as a YAML error', () => {
    const text = '{\n  "schemaVersion": "2.2",\n  "mainSteps": [\n}';
    assert.throws(
      () => parseDocument(text, { name: 'Broken' }),
      (error: unknown) =>
        error instanceof DocumentError &&
        error.document === 'Broken' &&
        error.path === '' &&
        /^invalid JSON: unexpected "}" at line 4, column 1$/.test(error.problem) &&
        error.message === `Broken: ${error.problem}`,
    );
  });

  it('locates the first JSON error whatever V8 says about it', () => {
    const cases: Array<[string, string]> = [
      ['{"a": 1,}', 'unexpected "}" at line 1, column 9'],
      ['{"a": [1, 2}', 'unexpected "}" at line 1, column 12'],
      ['{\n  "a": "x\ty"\n}', 'unexpected "\\t" at line 2, column 10'],
      ['{\n  "a": tru\n}', 'unexpected "t" at line 2, column 8'],
      ['{"a": {"b": 1}', 'the text ends too early at line 1, column 15'],
      ['{"a": 1} x', 'unexpected "x" at line 1, column 10'],
    ];
    for (const [text, where] of cases) {
      assert.throws(() => parseDocument(text, { name: 'J', format: 'JSON' }), { message: `J: invalid JSON: ${where}` }, text);
    }
  });

  it('reports YAML syntax errors with their position', () => {
    assert.throws(() => parseDocument("schemaVersion: '2.2'\nmainSteps:\n  - name: 'unclosed\n", { name: 'Y' }), /Y: invalid YAML: .* at line \d+, column \d+$/);
  });

  it('refuses a document that is not an object', () => {
    assert.throws(() => parseDocument('[1, 2]', { name: 'L' }), /L: a document must be a YAML mapping, not a list/);
    assert.throws(() => parseDocument('', { name: 'E' }), /E: a document must be a YAML mapping, not an empty document/);
  });

  it('ignores a byte-order mark', () => {
    assert.equal(parseDocument(`\uFEFF${JSON.stringify(SHELL_22)}`, { name: 'B' }).format, 'JSON');
  });
});

describe('parseDocument: YAML 1.1 as PyYAML reads it', () => {
  // Expected values are what PyYAML 6 safe_load gives for the same text (dates aside, kept as text here).
  it('resolves plain scalars like PyYAML', () => {
    const text = `schemaVersion: '2.2'
mainSteps:
- action: aws:runShellScript
  name: s
  inputs:
    values: [y, n, Y, yes, No, on, OFF, 0777, 0x1F, 1_000, "1:20", 1:20, 190:20:30, 1.5e3, ~, null, Null, 2001-12-14, 0b101, +12, 3., 1e3, 12e03, 1.0e+3, true, "yes", 012345678, 0o17, 1__0]
`;
    const doc = parseDocument(text, { name: 'Scalars' });
    assert.deepEqual(doc.steps[0]?.inputs['values'], [
      'y', 'n', 'Y', true, false, true, false, 511, 31, 1000, '1:20', 80, 685230, '1.5e3', null, null, null,
      '2001-12-14', 5, 12, 3, '1e3', '12e03', 1000, true, 'yes', '012345678', '0o17', 10,
    ]);
  });

  it('keeps a block scalar that ends the file without a line break without one', () => {
    const base = "schemaVersion: '2.2'\nmainSteps:\n- action: aws:runShellScript\n  name: s\n  inputs:\n    runCommand: |\n      echo a\n      echo b";
    assert.equal(parseDocument(base, { name: 'NoEol' }).steps[0]?.inputs['runCommand'], 'echo a\necho b');
    assert.equal(parseDocument(`${base}\n`, { name: 'Eol' }).steps[0]?.inputs['runCommand'], 'echo a\necho b\n');
  });

  it('supports merge keys and refuses duplicate keys', () => {
    const merged = "schemaVersion: '2.2'\nx: &common {a: 1}\nmainSteps:\n- action: aws:runShellScript\n  name: s\n  inputs:\n    <<: *common\n";
    assert.deepEqual(problemsOf(merged).map((p) => p.path), ['x']);
    assert.throws(() => parseDocument("schemaVersion: '2.2'\nschemaVersion: '2.0'\n", { name: 'D' }), /D: invalid YAML: Map keys must be unique/);
  });

  it('refuses values JSON cannot hold, naming where they are', () => {
    const problems = problemsOf("schemaVersion: '2.2'\nmainSteps:\n- action: aws:runShellScript\n  name: s\n  inputs:\n    n: .inf\n");
    assert.deepEqual(problems, [{ path: 'mainSteps[0].inputs.n', problem: 'Infinity is not a number JSON can hold' }]);
    assert.match(problemsOf("schemaVersion: '2.2'\nblob: !!binary aGk=\n")[0]!.problem, /binary data/);
    assert.match(problemsOf("schemaVersion: '2.2'\nref: !Ref Foo\n")[0]!.problem, /invalid YAML: .*tag/i);
  });
});

describe('parseDocument: schemaVersion and document type', () => {
  it('names the unsupported schemaVersion and the supported ones', () => {
    assert.deepEqual(problemsOf(JSON.stringify({ ...SHELL_22, schemaVersion: '9999.0' }), 'Future'), [
      { path: 'schemaVersion', problem: 'unsupported schemaVersion "9999.0"; command documents use 1.2, 2.0, 2.2' },
    ]);
  });

  it('says which kind of document 0.3 and 1.0 are', () => {
    assert.match(problemsOf(JSON.stringify({ ...SHELL_22, schemaVersion: '0.3' }))[0]!.problem, /0\.3 is the Automation document schema/);
    assert.match(problemsOf(JSON.stringify({ ...SHELL_22, schemaVersion: '1.0' }))[0]!.problem, /1\.0 is the Session document schema/);
  });

  it('requires schemaVersion as text, with a hint for unquoted YAML', () => {
    assert.match(problemsOf('{"mainSteps": []}')[0]!.problem, /schemaVersion is required/);
    assert.match(problemsOf('schemaVersion: 2.2\nmainSteps: []\n')[0]!.problem, /quote it/);
  });

  it('parses Policy documents from schema 2.0 and refuses other document types for now', () => {
    const policy = parseDocument(JSON.stringify(SHELL_22), { name: 'P', documentType: 'Policy' });
    assert.equal(policy.documentType, 'Policy');
    const v12 = JSON.stringify({ schemaVersion: '1.2', runtimeConfig: { 'aws:runShellScript': { properties: [{ runCommand: ['date'] }] } } });
    assert.equal(parseDocument(v12, { name: 'C' }).documentType, 'Command');
    assert.throws(() => parseDocument(v12, { name: 'P', documentType: 'Policy' }), /P: schemaVersion: Policy documents use schemaVersion 2\.0 or later/);
    assert.throws(() => parseDocument(JSON.stringify(SHELL_22), { name: 'A', documentType: 'Automation' }), /A: Automation documents are not supported yet/);
  });
});
