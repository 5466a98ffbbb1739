/**
 * Every command document of the shared SSM corpus (command/ and agent-testdata/documents/) must parse and
 * validate; the deliberately invalid ones must fail with the right problem; files that are not command documents
 * are skipped with the reason. The test prints a table of what it did. The corpus is never edited: variants are
 * derived in the other test files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DocumentValidationError, parseDocument } from '../src/index.js';
import type { CommandDocument } from '../src/index.js';
import { CORPUS_DIR, corpusAvailable, readCorpusFile, readCorpusJson, skipWithoutCorpus } from './support/corpus.js';

const FOLDERS = ['command', 'agent-testdata/documents'];

interface IndexEntry {
  file: string;
  kind: 'command' | 'automation' | 'session' | 'fixture';
  schemaVersion?: string;
  format?: 'JSON' | 'YAML';
  steps?: number;
  actions?: string[];
  parameterTypes?: string[];
}

/** The corpus README's deliberately invalid documents, with the problem each must be refused for. */
const EXPECTED_INVALID: Readonly<Record<string, { path: string; problem: RegExp }>> = {
  'agent-testdata/documents/docparser-schemaVersion9999-unsupported.json': {
    path: 'schemaVersion',
    problem: /^unsupported schemaVersion "9999\.0"; command documents use 1\.2, 2\.0, 2\.2$/,
  },
  'agent-testdata/documents/longrunning-cwdocument_invalid_format1.json': {
    path: 'runtimeConfig.runtimeConfig',
    problem: /^"runtimeConfig" is not a plugin name/,
  },
  'agent-testdata/documents/longrunning-cwdocument_invalid_format2.json': {
    path: 'runtimeConfig',
    problem: /^runtimeConfig is required for schemaVersion 1\.2$/,
  },
  'agent-testdata/documents/docparser-sampleMessageWithInvalidParamPrecondition.json': {
    path: 'mainSteps[0].precondition.StringEquals[0]',
    problem: /^"\{\{ invalidParam \}\}" refers to parameter "invalidParam", which the document does not declare$/,
  },
};

interface Row {
  file: string;
  schemaVersion: string;
  steps: string;
  parameters: string;
  actions: string;
  result: string;
}

function listFiles(): string[] {
  return FOLDERS.flatMap((folder) =>
    fs
      .readdirSync(path.join(CORPUS_DIR, folder))
      .filter((name) => name.endsWith('.json') || name.endsWith('.yaml'))
      .sort()
      .map((name) => `${folder}/${name}`),
  );
}

/** Why a file is not parsed as a command document, or undefined when it should be. */
function skipReason(entry: IndexEntry | undefined, text: string): string | undefined {
  if (entry?.kind === 'fixture') return 'SSM Agent test fixture (parameter values or expected results), not a document';
  if (entry?.kind === 'automation' || entry?.kind === 'session') return `${entry.kind} document: parsed when that schema lands`;
  const content = parsesAsJson(text) ? (JSON.parse(text) as Record<string, unknown>) : {};
  if ('packageArn' in content && 'packages' in content) return 'configurePackage manifest (packageArn, packages, files), not a document';
  return undefined;
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function printTable(rows: readonly Row[]): void {
  const headers: Row = { file: 'file', schemaVersion: 'schema', steps: 'steps', parameters: 'params', actions: 'actions', result: 'result' };
  const columns = Object.keys(headers) as Array<keyof Row>;
  const widths = columns.map((column) => Math.max(...[headers, ...rows].map((row) => row[column].length)));
  const line = (row: Row): string => columns.map((column, i) => row[column].padEnd(widths[i]!)).join('  ').trimEnd();
  const count = (prefix: string): number => rows.filter((row) => row.result.startsWith(prefix)).length;
  console.log(`\n    SSM corpus (${CORPUS_DIR})\n`);
  for (const row of [headers, ...rows]) console.log(`    ${line(row)}`);
  console.log(
    `\n    ${rows.length} files: ${count('valid')} parsed and validated, ${count('invalid as expected')} invalid as expected, ` +
      `${count('skipped')} skipped, ${count('FAILED')} failed\n`,
  );
}

describe('corpus: every command document parses and validates', function () {
  const rows: Row[] = [];
  const index = new Map<string, IndexEntry>();

  before(function () {
    skipWithoutCorpus(this);
    for (const entry of (readCorpusJson('index.json') as { documents: IndexEntry[] }).documents) index.set(entry.file, entry);
  });

  after(() => {
    if (rows.length > 0) printTable(rows);
  });

  if (!corpusAvailable()) {
    it('needs the SSM corpus', function () {
      skipWithoutCorpus(this);
    });
  }

  for (const file of corpusAvailable() ? listFiles() : []) {
    it(file, () => {
      const text = readCorpusFile(file);
      const entry = index.get(file);
      const row: Row = { file, schemaVersion: entry?.schemaVersion ?? '-', steps: '-', parameters: '-', actions: '-', result: 'FAILED' };
      rows.push(row);
      const skip = skipReason(entry, text);
      if (skip) {
        row.result = `skipped: ${skip}`;
        return;
      }
      const expectedInvalid = EXPECTED_INVALID[file];
      let doc: CommandDocument;
      try {
        doc = parseDocument(text, { name: path.basename(file) });
      } catch (error) {
        row.result = `FAILED: ${(error as Error).message.split('\n')[0]}`;
        if (!expectedInvalid) throw error;
        assert.ok(error instanceof DocumentValidationError, `expected a DocumentValidationError, got ${String(error)}`);
        const match = error.problems.find((p) => p.path === expectedInvalid.path && expectedInvalid.problem.test(p.problem));
        assert.ok(match, `no problem at ${expectedInvalid.path} matching ${expectedInvalid.problem}:\n${error.message}`);
        row.result = `invalid as expected: ${match.path}: ${match.problem}`;
        return;
      }
      row.result = `FAILED: parsed, but it is deliberately invalid`;
      assert.equal(expectedInvalid, undefined, `${file} should have been refused`);

      row.schemaVersion = doc.schemaVersion;
      row.steps = String(doc.steps.length);
      row.parameters = String(Object.keys(doc.parameters).length);
      row.actions = doc.actions.join(',');
      row.result = `FAILED: differs from index.json`;
      if (entry) {
        assert.equal(doc.schemaVersion, entry.schemaVersion, 'schemaVersion');
        // index.json goes by the file name; AWSEC2-ConfigureSTIG.yaml, for one, is JSON text, which YAML includes.
        assert.equal(doc.format, parsesAsJson(text) ? 'JSON' : 'YAML', 'detected format');
        assert.deepEqual(sorted(doc.actions), sorted(entry.actions ?? []), 'actions');
        // index.json counts mainSteps; 1.2 plugins (its "steps": 0) become one step each here.
        assert.equal(doc.steps.length, doc.schemaVersion === '1.2' ? sorted(entry.actions ?? []).length : entry.steps, 'steps');
        assert.deepEqual(sorted(Object.values(doc.parameters).map((p) => p.declaredType)), sorted(entry.parameterTypes ?? []), 'parameter types');
      }
      row.result = entry ? 'valid' : 'valid (not in index.json)';
    });
  }
});

describe('corpus: YAML documents read to the same values as PyYAML', function () {
  it('matches PyYAML safe_load for every command YAML file', function () {
    skipWithoutCorpus(this);
    const files = listFiles().filter((file) => file.endsWith('.yaml'));
    const script = [
      'import sys, json, datetime, yaml',
      'out = {}',
      'for f in sys.argv[1:]:',
      '    out[f] = yaml.safe_load(open(f, encoding="utf-8"))',
      'print(json.dumps(out, default=lambda o: o.isoformat()))',
    ].join('\n');
    const python = spawnSync('python3', ['-c', script, ...files], { cwd: CORPUS_DIR, encoding: 'utf8' });
    if (python.status !== 0) {
      console.log(`      (skipped: python3 with PyYAML is not available: ${(python.error?.message ?? python.stderr).trim().split('\n').pop()})`);
      this.skip();
    }
    const expected = JSON.parse(python.stdout) as Record<string, unknown>;
    assert.ok(files.length >= 10, `only ${files.length} YAML files found`);
    for (const file of files) {
      const doc = parseDocument(readCorpusFile(file), { name: file, format: 'YAML' });
      assert.deepEqual(doc.content, expected[file], file);
    }
  });
});
