import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionResult, AgentServices } from '@tender/plugin-api';
import { stepFixture, type StepFixture } from '@tender/plugin-api/testing';
import { createDownloadContentAction, createRunDocumentAction } from '../src/index.js';

// From dist/test/ back to the sources' fixtures.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures');

const GREETER = {
  schemaVersion: '2.2',
  description: 'greets',
  parameters: { who: { type: 'String', default: 'world' } },
  mainSteps: [{ action: 'test:echo', name: 'greet', inputs: { text: 'hello {{ who }}' } }],
};

interface RunCall {
  document: Record<string, unknown>;
  parameters: Record<string, unknown>;
  documentName: string | undefined;
}

/**
 * The agent's services as the action sees them: documents by name and version from a map, and a runDocument that
 * records what it was asked to run (the agent's own implementation is tested in packages/agent).
 */
function fakeServices(documents: Record<string, Record<string, unknown>>, calls: RunCall[], answer: ActionResult = { status: 'Success', exitCode: 0 }): AgentServices {
  return {
    getDocument: async (name, version) => {
      const content = documents[name];
      if (!content) throw new Error(`InvalidDocument: The specified document does not exist: ${name}`);
      if (version !== undefined && version !== '1' && version !== '$LATEST' && version !== '$DEFAULT') {
        throw new Error(`InvalidDocumentVersion: The document version is not valid or does not exist: ${name} has no version ${version}`);
      }
      return { name, version: '1', content };
    },
    runDocument: async (document, parameters, io) => {
      calls.push({ document, parameters, documentName: io.documentName });
      io.stdout.write('nested output\n');
      return answer;
    },
  };
}

describe('action-document: aws:runDocument', () => {
  const fixtures: StepFixture[] = [];
  const action = createRunDocumentAction();
  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.cleanup();
  });
  async function step(inputs: Record<string, unknown>, services?: AgentServices): Promise<StepFixture> {
    const f = await stepFixture(inputs);
    if (services) f.context.services = services;
    fixtures.push(f);
    return f;
  }

  it('SSMDocument: fetches the named version and runs it with the parameters (JSON text), output to this step', async () => {
    const calls: RunCall[] = [];
    const f = await step({ documentType: 'SSMDocument', documentPath: 'Greeter:1', documentParameters: '{"who": "tender"}' }, fakeServices({ Greeter: GREETER }, calls));
    const result = await action.run(f.context);
    assert.equal(result.status, 'Success', result.message);
    assert.deepEqual(calls, [{ document: GREETER, parameters: { who: 'tender' }, documentName: 'Greeter (version 1)' }]);
    assert.equal(f.stdout.text(), 'nested output\n');
  });

  it('SSMDocument: an ARN names the document; documentParameters may be an object or absent', async () => {
    const calls: RunCall[] = [];
    const services = fakeServices({ 'arn:aws:ssm:local:123456789012:document/Greeter': GREETER }, calls);
    const f = await step({ documentType: 'SSMDocument', documentPath: 'arn:aws:ssm:local:123456789012:document/Greeter', documentParameters: { who: 'x' } }, services);
    assert.equal((await action.run(f.context)).status, 'Success');
    const g = await step({ documentType: 'SSMDocument', documentPath: 'arn:aws:ssm:local:123456789012:document/Greeter' }, services);
    assert.equal((await action.run(g.context)).status, 'Success');
    assert.deepEqual(calls.map((c) => c.parameters), [{ who: 'x' }, {}]);
  });

  it('SSMDocument: an unknown document or version fails the step with the control plane\'s error', async () => {
    const calls: RunCall[] = [];
    const services = fakeServices({ Greeter: GREETER }, calls);
    const unknown = await action.run((await step({ documentType: 'SSMDocument', documentPath: 'Nope' }, services)).context);
    assert.equal(unknown.status, 'Failed');
    assert.equal(unknown.exitCode, -1);
    assert.equal(unknown.message, 'aws:runDocument: could not get the document Nope from the control plane: InvalidDocument: The specified document does not exist: Nope');
    const version = await action.run((await step({ documentType: 'SSMDocument', documentPath: 'Greeter:7' }, services)).context);
    assert.equal(version.status, 'Failed');
    assert.match(version.message ?? '', /Greeter version 7 .*InvalidDocumentVersion.*no version 7/);
    assert.equal(calls.length, 0, 'nothing ran');
  });

  it('LocalPath: a YAML file, absolute or relative to the command\'s downloads folder, is parsed and run', async () => {
    const calls: RunCall[] = [];
    const services = fakeServices({}, calls);
    const f = await step({ documentType: 'LocalPath', documentPath: path.join(FIXTURES, 'nested.yaml'), documentParameters: '{"who":"yaml"}' }, services);
    assert.equal((await action.run(f.context)).status, 'Success');
    assert.equal(calls[0]!.documentName, path.join(FIXTURES, 'nested.yaml'));
    assert.equal((calls[0]!.document.mainSteps as Array<{ name: string }>)[0]!.name, 'greet');
    assert.deepEqual(calls[0]!.parameters, { who: 'yaml' });

    const g = await step({ documentType: 'LocalPath', documentPath: 'ssmdocument' }, services);
    g.context.downloadsDirectory = path.join(g.root, 'shared-downloads');
    await mkdir(g.context.downloadsDirectory, { recursive: true });
    await copyFile(path.join(FIXTURES, 'nested.yaml'), path.join(g.context.downloadsDirectory, 'ssmdocument'));
    assert.equal((await action.run(g.context)).status, 'Success');
    assert.equal(calls[1]!.documentName, path.join(g.context.downloadsDirectory, 'ssmdocument'));
  });

  it('LocalPath: a missing file, a directory, an empty file and an invalid document each fail clearly, nothing runs', async () => {
    const calls: RunCall[] = [];
    const services = fakeServices({}, calls);
    const f = await step({}, services);
    const missing = path.join(f.root, 'missing.json');
    const invalid = path.join(f.root, 'invalid.json');
    const empty = path.join(f.root, 'empty.yaml');
    await writeFile(invalid, JSON.stringify({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', inputs: {} }] }));
    await writeFile(empty, '  \n');
    const run = async (documentPath: string) => action.run({ ...f.context, inputs: { documentType: 'LocalPath', documentPath } });
    assert.equal((await run(missing)).message, `aws:runDocument: the document file ${missing} does not exist`);
    assert.equal((await run(f.root)).message, `aws:runDocument: the document path ${f.root} is a directory, not a document file`);
    assert.equal((await run(empty)).message, `aws:runDocument: the document file ${empty} is empty`);
    const bad = await run(invalid);
    assert.equal(bad.status, 'Failed');
    assert.match(bad.message ?? '', new RegExp(`^aws:runDocument: ${invalid.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: mainSteps\\[0\\]`));
    assert.equal(calls.length, 0);
  });

  it('bad inputs fail before anything is fetched or run', async () => {
    const calls: RunCall[] = [];
    const services = fakeServices({ Greeter: GREETER }, calls);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ documentPath: 'Greeter' }, /the input documentType is required \(SSMDocument or LocalPath\)/],
      [{ documentType: 'S3', documentPath: 'Greeter' }, /documentType "S3" is not valid: it is SSMDocument or LocalPath/],
      [{ documentType: 'SSMDocument' }, /the input documentPath is required: the name of a document/],
      [{ documentType: 'SSMDocument', documentPath: 'Greeter', documentParameters: '{nope' }, /documentParameters is not valid JSON/],
      [{ documentType: 'SSMDocument', documentPath: 'Greeter', documentParameters: '[1]' }, /documentParameters must be a JSON object/],
    ];
    for (const [inputs, expected] of cases) {
      const result = await action.run((await step(inputs, services)).context);
      assert.equal(result.status, 'Failed');
      assert.match(result.message ?? '', expected);
    }
    assert.equal(calls.length, 0);
  });

  it('passes the nested run\'s failure up, prefixed; and fails clearly without the agent\'s services', async () => {
    const calls: RunCall[] = [];
    const failing = fakeServices({ Greeter: GREETER }, calls, { status: 'Failed', exitCode: 1, message: 'Greeter: step greet failed' });
    const result = await action.run((await step({ documentType: 'SSMDocument', documentPath: 'Greeter' }, failing)).context);
    assert.deepEqual(result, { status: 'Failed', exitCode: 1, message: 'aws:runDocument: Greeter: step greet failed' });
    const bare = await action.run((await step({ documentType: 'SSMDocument', documentPath: 'Greeter' })).context);
    assert.equal(bare.message, 'aws:runDocument: this agent cannot run nested documents');
  });

  it('cancelled before it starts: Cancelled, nothing fetched', async () => {
    const calls: RunCall[] = [];
    const f = await step({ documentType: 'SSMDocument', documentPath: 'Greeter' }, fakeServices({ Greeter: GREETER }, calls));
    f.controller.abort('cancel');
    const result = await action.run(f.context);
    assert.equal(result.status, 'Cancelled');
    assert.equal(calls.length, 0);
  });
});

describe('action-document: aws:downloadContent with sourceType SSMDocument', () => {
  const fixtures: StepFixture[] = [];
  const action = createDownloadContentAction();
  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.cleanup();
  });
  async function step(inputs: Record<string, unknown>, services?: AgentServices): Promise<StepFixture> {
    const f = await stepFixture(inputs);
    if (services) f.context.services = services;
    fixtures.push(f);
    return f;
  }
  const services = fakeServices({ Greeter: GREETER }, []);

  it('writes the document as JSON to <downloads>/<name>.json by default, and says so', async () => {
    const f = await step({ sourceType: 'SSMDocument', sourceInfo: '{"name": "Greeter"}' }, services);
    const result = await action.run(f.context);
    assert.equal(result.status, 'Success', result.message);
    const target = path.join(f.orchestrationDirectory, 'downloads', 'Greeter.json');
    assert.deepEqual(JSON.parse(await readFile(target, 'utf8')), GREETER);
    assert.deepEqual(result.outputs, { destinationPath: target, documentName: 'Greeter', documentVersion: '1' });
    assert.match(f.stdout.text(), /^Downloaded document Greeter version 1 to .*Greeter\.json/);
  });

  it('a relative destinationPath is a file in the command\'s shared downloads folder (AWS-RunDocument\'s "ssmdocument")', async () => {
    const f = await step({ sourceType: 'SSMDocument', sourceInfo: { name: 'Greeter', version: '1' }, destinationPath: 'ssmdocument' }, services);
    f.context.downloadsDirectory = path.join(f.root, 'command-downloads');
    const result = await action.run(f.context);
    assert.equal(result.status, 'Success', result.message);
    assert.deepEqual(JSON.parse(await readFile(path.join(f.root, 'command-downloads', 'ssmdocument'), 'utf8')), GREETER);
  });

  it('an unknown document or version fails with the control plane\'s error and writes nothing', async () => {
    const f = await step({ sourceType: 'SSMDocument', sourceInfo: '{"name": "Nope"}' }, services);
    const result = await action.run(f.context);
    assert.equal(result.status, 'Failed');
    assert.equal(result.message, 'aws:downloadContent: could not get the document Nope from the control plane: InvalidDocument: The specified document does not exist: Nope');
    const g = await step({ sourceType: 'SSMDocument', sourceInfo: '{"name": "Greeter:9"}' }, services);
    assert.match((await action.run(g.context)).message ?? '', /Greeter version 9.*InvalidDocumentVersion/);
    await assert.rejects(readFile(path.join(f.orchestrationDirectory, 'downloads', 'Nope.json')));
  });

  it('bad sourceInfo: no name, a conflicting or malformed version, no agent services', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['{}', /sourceInfo.name is required/],
      ['{"name": "Greeter:2", "version": "3"}', /names version 2 but the version given is 3/],
      ['{"name": "Greeter", "version": "latest"}', /"latest" is not a document version/],
    ];
    for (const [sourceInfo, expected] of cases) {
      const result = await action.run((await step({ sourceType: 'SSMDocument', sourceInfo }, services)).context);
      assert.equal(result.status, 'Failed');
      assert.match(result.message ?? '', expected);
    }
    const bare = await action.run((await step({ sourceType: 'SSMDocument', sourceInfo: '{"name": "Greeter"}' })).context);
    assert.match(bare.message ?? '', /needs an agent that can fetch documents/);
  });
});
