import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from '@tender/documents';
import { parse as parseYaml } from 'yaml';
import type { Input, Operation } from '../src/api/operation.js';
import { DocumentService, documentOperations, MAX_COMMAND_DOCUMENT_BYTES, type DocumentServiceOptions } from '../src/documents/index.js';
import { platformTypesOf } from '../src/documents/platform-types.js';
import { FileStore, readStoreFiles } from '../src/store/file-store.js';
import { apiError, ManualClock, testContext } from './support/operation-harness.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const T0 = Date.parse('2030-06-01T12:00:00.000Z');
const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/ssm-corpus/command');
const BUILTINS = ['AWS-GatherSoftwareInventory', 'AWS-RunDocument', 'AWS-RunPatchBaseline', 'AWS-RunPowerShellScript', 'AWS-RunRemoteScript', 'AWS-RunShellScript'];

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A valid 2.2 command document; `echo` varies the content. */
function shellDocument(echo = 'hello', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    schemaVersion: '2.2',
    description: `Says ${echo}`,
    parameters: {
      Message: { type: 'String', default: echo, description: 'What to say' },
      Targets: { type: 'StringList', default: ['a', 'b'] },
      Count: { type: 'Integer', default: 3 },
      Verbose: { type: 'Boolean', default: false },
      Required: { type: 'String' },
    },
    mainSteps: [{ action: 'aws:runShellScript', name: 'say', inputs: { runCommand: ['echo {{ Message }}'] } }],
    ...extra,
  });
}

const YAML_DOCUMENT = `---
# A comment that must survive when the document is served as written
schemaVersion: '2.2'
description: Tricky scalars
parameters:
  Answer:
    type: String
    default: 'yes'
  Mode:
    type: String
    default: '0755'
  Clock:
    type: String
    default: '1:30'
mainSteps:
  - action: aws:runShellScript
    name: linux
    precondition:
      StringEquals: [platformType, Linux]
    inputs:
      runCommand:
        - |
          echo "{{ Answer }} {{ Mode }} {{ ManualClock }}"
          exit 0
  - action: aws:runPowerShellScript
    name: windows
    precondition:
      StringEquals: [platformType, Windows]
    inputs:
      runCommand: ['Write-Output "{{ Answer }}"']
`;

interface Description {
  Name: string;
  Hash: string;
  HashType: string;
  Owner: string;
  DocumentVersion: string;
  LatestVersion: string;
  DefaultVersion: string;
  VersionName?: string;
  DisplayName?: string;
  Status: string;
  SchemaVersion: string;
  DocumentFormat: string;
  DocumentType: string;
  Description?: string;
  CreatedDate: number;
  PlatformTypes: string[];
  Parameters?: Array<{ Name: string; Type: string; Description?: string; DefaultValue?: string }>;
  Tags: Array<{ Key: string; Value: string }>;
  TargetType?: string;
}
interface Identifier {
  Name: string;
  Owner: string;
  DocumentVersion: string;
  PlatformTypes: string[];
  DocumentType: string;
  Tags: Array<{ Key: string; Value: string }>;
}

describe('Documents API', () => {
  let dir: string;
  let store: FileStore;
  let clock: ManualClock;
  let service: DocumentService;
  let ops: Map<string, Operation>;

  async function open(options: DocumentServiceOptions = {}): Promise<void> {
    service = await DocumentService.open(store, { now: clock.now, ...options });
    ops = new Map(documentOperations(service).map((op) => [op.name, op]));
  }

  function call(name: string, input: Input): Promise<unknown> {
    const op = ops.get(name);
    assert.ok(op, `no operation ${name}`);
    return op.handle(input, testContext);
  }

  const create = async (input: Input): Promise<Description> => ((await call('CreateDocument', input)) as { DocumentDescription: Description }).DocumentDescription;
  const update = async (input: Input): Promise<Description> => ((await call('UpdateDocument', input)) as { DocumentDescription: Description }).DocumentDescription;
  const describeDoc = async (input: Input): Promise<Description> => ((await call('DescribeDocument', input)) as { Document: Description }).Document;
  const getDoc = async (input: Input) =>
    (await call('GetDocument', input)) as { Name: string; Content: string; DocumentVersion: string; DocumentFormat: string; VersionName?: string; DocumentType: string; Status: string };
  const list = async (input: Input = {}) => (await call('ListDocuments', input)) as { DocumentIdentifiers: Identifier[]; NextToken?: string };
  const listAll = async (input: Input = {}): Promise<Identifier[]> => {
    const all: Identifier[] = [];
    let token: string | undefined;
    do {
      const page = await list({ ...input, NextToken: token });
      all.push(...page.DocumentIdentifiers);
      token = page.NextToken;
    } while (token);
    return all;
  };
  const versions = async (input: Input) =>
    (await call('ListDocumentVersions', input)) as { DocumentVersions: Array<{ DocumentVersion: string; IsDefaultVersion: boolean; VersionName?: string; Name: string }>; NextToken?: string };

  async function storedContents(): Promise<number> {
    return Object.keys((await readStoreFiles(dir))['document-contents'] ?? {}).length;
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-documents-'));
    store = await FileStore.open(dir);
    clock = new ManualClock(T0);
    await open();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  describe('built-in documents', () => {
    it('are listed with Owner Amazon, version 1, and Amazon-style ARNs', async () => {
      const amazon = await listAll({ Filters: [{ Key: 'Owner', Values: ['Amazon'] }] });
      assert.deepEqual(amazon.map((d) => d.Name), BUILTINS);
      for (const d of amazon) {
        assert.equal(d.Owner, 'Amazon');
        assert.equal(d.DocumentVersion, '1');
        assert.equal(d.DocumentType, 'Command');
      }
      const op = ops.get('DescribeDocument')!;
      assert.deepEqual(op.resources!({ Name: 'AWS-RunShellScript' }, testContext), [`arn:aws:ssm:${REGION}::document/AWS-RunShellScript`]);
      assert.deepEqual(op.resources!({ Name: 'MyDoc' }, testContext), [`arn:aws:ssm:${REGION}:${ACCOUNT}:document/MyDoc`]);
    });

    it('describe their parameters and platforms like SSM', async () => {
      const shell = await describeDoc({ Name: 'AWS-RunShellScript' });
      assert.equal(shell.Owner, 'Amazon');
      assert.equal(shell.LatestVersion, '1');
      assert.equal(shell.DefaultVersion, '1');
      assert.equal(shell.Status, 'Active');
      assert.deepEqual(shell.PlatformTypes, ['Linux', 'MacOS']);
      assert.deepEqual(
        shell.Parameters?.map((p) => [p.Name, p.Type, p.DefaultValue]),
        [
          ['commands', 'StringList', undefined],
          ['workingDirectory', 'String', ''],
          ['executionTimeout', 'String', '3600'],
        ],
      );
      assert.deepEqual((await describeDoc({ Name: 'AWS-RunPowerShellScript' })).PlatformTypes, ['Windows', 'Linux', 'MacOS']);
      assert.deepEqual((await describeDoc({ Name: 'AWS-RunDocument' })).PlatformTypes, ['Windows', 'Linux', 'MacOS']);
      assert.deepEqual((await describeDoc({ Name: 'AWS-RunRemoteScript' })).PlatformTypes, ['Windows', 'Linux', 'MacOS']);
    });

    it('keep the parameter names of AWS\'s documents, with Tender\'s own text', async function () {
      if (!existsSync(CORPUS)) {
        console.log(`      (skipped: SSM corpus not found at ${CORPUS})`);
        this.skip();
      }
      // Parameters AWS added to its documents after the corpus's copy was taken (Tender has them).
      const newerThanCorpus: Record<string, string[]> = { 'AWS-RunPatchBaseline': ['BaselineOverride'] };
      for (const name of BUILTINS) {
        const aws = JSON.parse(await readFile(path.join(CORPUS, `${name}.json`), 'utf8')) as { description: string; parameters: Record<string, { description?: string; type: string }> };
        const ours = await describeDoc({ Name: name });
        const inCorpus = (ours.Parameters ?? []).filter((p) => !(newerThanCorpus[name] ?? []).includes(p.Name));
        assert.deepEqual(inCorpus.map((p) => p.Name), Object.keys(aws.parameters), name);
        assert.deepEqual(inCorpus.map((p) => p.Type), Object.values(aws.parameters).map((p) => p.type), name);
        assert.notEqual(ours.Description, aws.description, `${name}: the description is Tender's own`);
        for (const p of inCorpus) assert.notEqual(p.Description, aws.parameters[p.Name]!.description, `${name}.${p.Name}`);
      }
    });

    it('run the actions SSM\'s do, with executionTimeout as the step timeout', async () => {
      const shell = await service.resolve('AWS-RunShellScript');
      assert.deepEqual(shell.document.steps.map((s) => s.action), ['aws:runShellScript']);
      assert.equal(shell.document.steps[0]!.inputs.timeoutSeconds, '{{ executionTimeout }}');
      assert.equal(shell.document.steps[0]!.inputs.runCommand, '{{ commands }}');
      assert.equal(shell.owner, 'Amazon');
      const pattern = new RegExp(shell.document.parameters.executionTimeout!.allowedPattern!);
      for (const ok of ['1', '3600', '172800']) assert.ok(pattern.test(ok), ok);
      for (const bad of ['0', '172801', '1e3', '60; rm -rf /', '']) assert.ok(!pattern.test(bad), bad);
      assert.deepEqual((await service.resolve('AWS-RunPowerShellScript')).document.actions, ['aws:runPowerShellScript']);
      const runDocument = await service.resolve('AWS-RunDocument');
      assert.deepEqual(runDocument.document.actions, ['aws:downloadContent', 'aws:runDocument']);
      assert.deepEqual(runDocument.document.parameters.sourceType!.allowedValues, ['GitHub', 'S3', 'SSMDocument', 'HTTP']);
      const remote = await service.resolve('AWS-RunRemoteScript');
      assert.deepEqual(remote.document.actions, ['aws:downloadContent', 'aws:runPowerShellScript', 'aws:runShellScript']);
      assert.deepEqual(remote.document.parameters.sourceType!.allowedValues, ['HTTP']);
      assert.deepEqual(
        remote.document.steps.map((s) => s.precondition?.StringEquals?.[1]),
        [undefined, 'Windows', 'Linux', 'MacOS'],
      );
    });

    it('are read-only', async () => {
      await apiError(call('UpdateDocument', { Name: 'AWS-RunShellScript', Content: shellDocument(), DocumentVersion: '$LATEST' }), 'InvalidDocumentOperation', /owned by Amazon/);
      await apiError(call('DeleteDocument', { Name: 'AWS-RunShellScript' }), 'InvalidDocumentOperation', /cannot delete a document owned by Amazon/);
      await apiError(call('DeleteDocument', { Name: 'AWS-RunShellScript', DocumentVersion: '1' }), 'InvalidDocumentOperation', /owned by Amazon/);
      await apiError(service.setTags('AWS-RunShellScript', [{ Key: 'a', Value: 'b' }]), 'InvalidDocumentOperation');
      const same = (await call('UpdateDocumentDefaultVersion', { Name: 'AWS-RunShellScript', DocumentVersion: '1' })) as { Description: { DefaultVersion: string } };
      assert.equal(same.Description.DefaultVersion, '1');
      await apiError(call('UpdateDocumentDefaultVersion', { Name: 'AWS-RunShellScript', DocumentVersion: '2' }), 'InvalidDocumentVersion');
      await apiError(call('CreateDocument', { Name: 'AWS-RunShellScript', Content: shellDocument() }), 'ValidationException', /reserved/);
      assert.equal((await describeDoc({ Name: 'AWS-RunShellScript' })).LatestVersion, '1');
    });
  });

  describe('CreateDocument', () => {
    it('stores version 1 as the default and describes it', async () => {
      const content = shellDocument();
      const d = await create({ Name: 'Say-Hello_1.0', Content: content, VersionName: 'first', DisplayName: 'Say hello', TargetType: '/', Tags: [{ Key: 'team', Value: 'ops' }] });
      assert.equal(d.Name, 'Say-Hello_1.0');
      assert.equal(d.Hash, sha256(content));
      assert.equal(d.HashType, 'Sha256');
      assert.equal(d.Owner, ACCOUNT);
      assert.equal(d.DocumentVersion, '1');
      assert.equal(d.LatestVersion, '1');
      assert.equal(d.DefaultVersion, '1');
      assert.equal(d.VersionName, 'first');
      assert.equal(d.DisplayName, 'Say hello');
      assert.equal(d.TargetType, '/');
      assert.equal(d.Status, 'Active');
      assert.equal(d.SchemaVersion, '2.2');
      assert.equal(d.DocumentFormat, 'JSON');
      assert.equal(d.DocumentType, 'Command');
      assert.equal(d.Description, 'Says hello');
      assert.equal(d.CreatedDate, T0 / 1000);
      assert.deepEqual(d.PlatformTypes, ['Linux', 'MacOS']);
      assert.deepEqual(d.Tags, [{ Key: 'team', Value: 'ops' }]);
      assert.deepEqual(d.Parameters, [
        { Name: 'Message', Type: 'String', Description: 'What to say', DefaultValue: 'hello' },
        { Name: 'Targets', Type: 'StringList', DefaultValue: '["a","b"]' },
        { Name: 'Count', Type: 'Integer', DefaultValue: '3' },
        { Name: 'Verbose', Type: 'Boolean', DefaultValue: 'false' },
        { Name: 'Required', Type: 'String' },
      ]);
      assert.deepEqual(await describeDoc({ Name: 'Say-Hello_1.0' }), d);
      assert.deepEqual(ops.get('CreateDocument')!.resources!({ Name: 'Say-Hello_1.0' }, testContext), [`arn:aws:ssm:${REGION}:${ACCOUNT}:document/Say-Hello_1.0`]);
    });

    it('takes YAML with DocumentFormat YAML, and hashes the content as given', async () => {
      const d = await create({ Name: 'yaml-doc', Content: YAML_DOCUMENT, DocumentFormat: 'YAML' });
      assert.equal(d.DocumentFormat, 'YAML');
      assert.equal(d.Hash, sha256(YAML_DOCUMENT));
      assert.deepEqual(d.PlatformTypes, ['Windows', 'Linux', 'MacOS']);
      await apiError(call('CreateDocument', { Name: 'yaml-as-json', Content: YAML_DOCUMENT }), 'InvalidDocumentContent', /^yaml-as-json: invalid JSON/);
    });

    it('refuses a name that exists, a malformed name, and the prefixes reserved for Amazon', async () => {
      await create({ Name: 'taken', Content: shellDocument() });
      await apiError(call('CreateDocument', { Name: 'taken', Content: shellDocument('other') }), 'DocumentAlreadyExists', /taken/);
      for (const name of ['ab', 'has space', 'slash/name', 'x'.repeat(129)]) {
        await apiError(call('CreateDocument', { Name: name, Content: shellDocument() }), 'ValidationException', /regular expression pattern/);
      }
      for (const name of ['aws-mine', 'AWSSupport-Mine', 'Amazon.Thing', 'amazonian', 'amzn_x', 'AmZn-x', 'AWS']) {
        await apiError(call('CreateDocument', { Name: name, Content: shellDocument() }), 'ValidationException', /^Invalid document name .*reserved/);
      }
      await create({ Name: 'awesome', Content: shellDocument() });
      await create({ Name: 'my-aws-doc', Content: shellDocument() });
      await apiError(call('CreateDocument', { Content: shellDocument() }), 'ValidationException', /'name'.*null/);
      await apiError(call('CreateDocument', { Name: 'no-content' }), 'ValidationException', /'content'/);
      await apiError(call('CreateDocument', { Name: 'empty', Content: '' }), 'ValidationException', /length/);
    });

    it('refuses content over 64 KB', async () => {
      const filler = 'x'.repeat(MAX_COMMAND_DOCUMENT_BYTES);
      await apiError(call('CreateDocument', { Name: 'too-big', Content: shellDocument(filler) }), 'MaxDocumentSizeExceeded', /64 KB/);
      // Bytes, not characters: 22,000 three-byte characters are 66,000 bytes.
      await apiError(call('CreateDocument', { Name: 'too-big-utf8', Content: shellDocument('€'.repeat(22_000)) }), 'MaxDocumentSizeExceeded');
      const justFits = shellDocument('y');
      const pad = MAX_COMMAND_DOCUMENT_BYTES - Buffer.byteLength(justFits);
      await create({ Name: 'just-fits', Content: justFits + ' '.repeat(pad) });
    });

    it('answers invalid content with the documents package\'s message: document, path, problem', async () => {
      const bad = JSON.stringify({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', inputs: { runCommand: ['x'] } }] });
      const error = await apiError(call('CreateDocument', { Name: 'broken', Content: bad }), 'InvalidDocumentContent');
      assert.match(error.message, /^broken: mainSteps\[0\]/);
      let expected = '';
      try {
        parseDocument(bad, { name: 'broken', format: 'JSON' });
      } catch (e) {
        expected = (e as Error).message;
      }
      assert.equal(error.message, expected);
      await apiError(call('CreateDocument', { Name: 'not-json', Content: '{"schemaVersion": "2.2",' }), 'InvalidDocumentContent', /^not-json: invalid JSON/);
      await apiError(call('CreateDocument', { Name: 'no-schema', Content: '{"mainSteps": []}' }), 'InvalidDocumentContent', /schemaVersion is required/);
    });

    it('answers a schemaVersion Tender does not take with InvalidDocumentSchemaVersion', async () => {
      await apiError(call('CreateDocument', { Name: 'future', Content: shellDocument('x', { schemaVersion: '9.9' }) }), 'InvalidDocumentSchemaVersion', /future: schemaVersion: unsupported schemaVersion "9.9"/);
      await apiError(call('CreateDocument', { Name: 'runbook', Content: shellDocument('x', { schemaVersion: '0.3' }) }), 'InvalidDocumentSchemaVersion', /Automation/);
      const automation = await apiError(
        call('CreateDocument', { Name: 'runbook2', Content: shellDocument(), DocumentType: 'Automation' }),
        'InvalidDocumentSchemaVersion',
        /Tender supports Command .*not Automation/,
      );
      assert.match(automation.message, /Automation capability/);
      await apiError(call('CreateDocument', { Name: 'session', Content: shellDocument(), DocumentType: 'Session' }), 'InvalidDocumentSchemaVersion', /not Session/);
      await apiError(call('CreateDocument', { Name: 'bogus', Content: shellDocument(), DocumentType: 'Bogus' }), 'ValidationException', /enum value set/);
      await apiError(call('CreateDocument', { Name: 'text', Content: shellDocument(), DocumentFormat: 'TEXT' }), 'ValidationException', /Invalid document format TEXT/);
      await apiError(call('CreateDocument', { Name: 'xml', Content: shellDocument(), DocumentFormat: 'XML' }), 'ValidationException', /enum value set/);
    });

    it('takes Policy documents too (the documents package parses them)', async () => {
      const policy = JSON.stringify({ schemaVersion: '2.0', mainSteps: [{ action: 'aws:softwareInventory', name: 'inventory', inputs: {} }] });
      const d = await create({ Name: 'my-policy', Content: policy, DocumentType: 'Policy' });
      assert.equal(d.DocumentType, 'Policy');
      assert.deepEqual(d.PlatformTypes, ['Windows', 'Linux', 'MacOS']);
    });

    it('checks tags, version names, display names and target types', async () => {
      await apiError(call('CreateDocument', { Name: 'tagged', Content: shellDocument(), Tags: [{ Key: 'aws:x', Value: 'y' }] }), 'InvalidParameters');
      const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      await apiError(call('CreateDocument', { Name: 'tagged', Content: shellDocument(), Tags: many }), 'TooManyTagsError');
      await apiError(call('CreateDocument', { Name: 'named', Content: shellDocument(), VersionName: 'has space' }), 'ValidationException', /'versionName'/);
      await apiError(call('CreateDocument', { Name: 'named', Content: shellDocument(), DisplayName: 'semi;colon' }), 'ValidationException', /'displayName'/);
      await apiError(call('CreateDocument', { Name: 'named', Content: shellDocument(), TargetType: 'AWS::EC2::Instance' }), 'ValidationException', /'targetType'/);
      await apiError(call('CreateDocument', { Name: 'named', Content: shellDocument(), Attachments: [{ Key: 'SourceUrl', Values: ['s3://x'] }] }), 'ValidationException', /Attachments/);
      assert.deepEqual(await listAll({ Filters: [{ Key: 'Owner', Values: ['Self'] }] }), [], 'nothing was stored');
      assert.equal(await storedContents(), 0, 'no content was left behind');
    });

    it('refuses more documents than the limit', async () => {
      await open({ maxDocuments: 2 });
      await create({ Name: 'one', Content: shellDocument('1') });
      await create({ Name: 'two', Content: shellDocument('2') });
      await apiError(call('CreateDocument', { Name: 'three', Content: shellDocument('3') }), 'DocumentLimitExceeded', /at most 2/);
    });

    it('keeps documents across a restart', async () => {
      await create({ Name: 'durable', Content: YAML_DOCUMENT, DocumentFormat: 'YAML' });
      await store.close();
      store = await FileStore.open(dir);
      await open();
      assert.equal((await getDoc({ Name: 'durable' })).Content, YAML_DOCUMENT);
      assert.equal((await service.resolve('durable')).hash, sha256(YAML_DOCUMENT));
    });
  });

  describe('UpdateDocument and versions', () => {
    beforeEach(() => create({ Name: 'versioned', Content: shellDocument('v1'), VersionName: 'one', DisplayName: 'Versioned doc' }));

    it('adds versions after the latest; the default stays at 1 until it is changed', async () => {
      clock.ms += 60_000;
      const v2 = await update({ Name: 'versioned', Content: shellDocument('v2'), DocumentVersion: '$LATEST', VersionName: 'two' });
      assert.equal(v2.DocumentVersion, '2');
      assert.equal(v2.LatestVersion, '2');
      assert.equal(v2.DefaultVersion, '1');
      assert.equal(v2.VersionName, 'two');
      assert.equal(v2.DisplayName, 'Versioned doc', 'DisplayName carries over');
      assert.equal(v2.Hash, sha256(shellDocument('v2')));
      assert.equal(v2.CreatedDate, (T0 + 60_000) / 1000);
      const v3 = await update({ Name: 'versioned', Content: YAML_DOCUMENT, DocumentFormat: 'YAML', DocumentVersion: '2', DisplayName: 'Renamed' });
      assert.equal(v3.DocumentVersion, '3');
      assert.equal(v3.DocumentFormat, 'YAML');
      assert.equal(v3.DisplayName, 'Renamed');
      const v4 = await update({ Name: 'versioned', Content: shellDocument('v4') });
      assert.equal(v4.DocumentVersion, '4', 'DocumentVersion defaults to $LATEST');

      const described = await describeDoc({ Name: 'versioned' });
      assert.equal(described.DocumentVersion, '1');
      assert.equal(described.LatestVersion, '4');
      assert.equal(described.DefaultVersion, '1');
      assert.equal(described.Description, 'Says v1');
      assert.equal((await describeDoc({ Name: 'versioned', DocumentVersion: '2' })).Description, 'Says v2');
      assert.equal((await describeDoc({ Name: 'versioned', VersionName: 'two' })).DocumentVersion, '2');
      assert.deepEqual(ops.get('UpdateDocument')!.resources!({ Name: 'versioned' }, testContext), [`arn:aws:ssm:${REGION}:${ACCOUNT}:document/versioned`]);
    });

    it('updates only the latest version: $LATEST or its number', async () => {
      await update({ Name: 'versioned', Content: shellDocument('v2') });
      await apiError(call('UpdateDocument', { Name: 'versioned', Content: shellDocument('v3'), DocumentVersion: '1' }), 'InvalidDocumentVersion', /\$LATEST or 2/);
      await apiError(call('UpdateDocument', { Name: 'versioned', Content: shellDocument('v3'), DocumentVersion: '7' }), 'InvalidDocumentVersion');
      await apiError(call('UpdateDocument', { Name: 'versioned', Content: shellDocument('v3'), DocumentVersion: '$DEFAULT' }), 'InvalidDocumentVersion');
      await apiError(call('UpdateDocument', { Name: 'versioned', Content: shellDocument('v3'), DocumentVersion: 'latest' }), 'ValidationException', /'documentVersion'/);
      await apiError(call('UpdateDocument', { Name: 'nope', Content: shellDocument('v3') }), 'InvalidDocument', /does not exist/);
      assert.equal((await describeDoc({ Name: 'versioned' })).LatestVersion, '2');
    });

    it('refuses content equal to the latest version, and a VersionName already used', async () => {
      await apiError(call('UpdateDocument', { Name: 'versioned', Content: shellDocument('v1') }), 'DuplicateDocumentContent', /latest version \(1/);
      await update({ Name: 'versioned', Content: shellDocument('v2') });
      const back = await update({ Name: 'versioned', Content: shellDocument('v1') });
      assert.equal(back.DocumentVersion, '3', 'content of an older version is a new version');
      assert.equal(back.Hash, sha256(shellDocument('v1')));
      await apiError(call('UpdateDocument', { Name: 'versioned', Content: shellDocument('v4'), VersionName: 'one' }), 'DuplicateDocumentVersionName', /one.*version 1/);
      assert.equal((await describeDoc({ Name: 'versioned' })).LatestVersion, '3');
    });

    it('refuses invalid content and oversize content without adding a version', async () => {
      await apiError(call('UpdateDocument', { Name: 'versioned', Content: '{"schemaVersion":"2.2","mainSteps":"no"}' }), 'InvalidDocumentContent', /^versioned: mainSteps/);
      await apiError(call('UpdateDocument', { Name: 'versioned', Content: shellDocument('x', { schemaVersion: '0.3' }) }), 'InvalidDocumentSchemaVersion');
      await apiError(call('UpdateDocument', { Name: 'versioned', Content: shellDocument('z'.repeat(70_000)) }), 'MaxDocumentSizeExceeded');
      assert.equal((await describeDoc({ Name: 'versioned' })).LatestVersion, '1');
      assert.equal(await storedContents(), 1);
    });

    it('refuses a version beyond the limit', async () => {
      await open({ maxVersions: 3 });
      await update({ Name: 'versioned', Content: shellDocument('v2') });
      await update({ Name: 'versioned', Content: shellDocument('v3') });
      await apiError(call('UpdateDocument', { Name: 'versioned', Content: shellDocument('v4') }), 'DocumentVersionLimitExceeded', /3/);
      await call('DeleteDocument', { Name: 'versioned', DocumentVersion: '2' });
      const v4 = await update({ Name: 'versioned', Content: shellDocument('v4') });
      assert.equal(v4.DocumentVersion, '4', 'version numbers are not reused');
    });

    it('serves $DEFAULT, $LATEST, numbers and version names; UpdateDocumentDefaultVersion moves the default', async () => {
      await update({ Name: 'versioned', Content: shellDocument('v2'), VersionName: 'two' });
      await update({ Name: 'versioned', Content: shellDocument('v3') });
      assert.equal((await getDoc({ Name: 'versioned' })).Content, shellDocument('v1'));
      assert.equal((await getDoc({ Name: 'versioned', DocumentVersion: '$DEFAULT' })).DocumentVersion, '1');
      assert.equal((await getDoc({ Name: 'versioned', DocumentVersion: '$LATEST' })).Content, shellDocument('v3'));
      assert.equal((await getDoc({ Name: 'versioned', DocumentVersion: '2' })).VersionName, 'two');
      assert.equal((await getDoc({ Name: 'versioned', VersionName: 'two' })).DocumentVersion, '2');
      assert.equal((await getDoc({ Name: 'versioned', VersionName: 'two', DocumentVersion: '2' })).DocumentVersion, '2');
      await apiError(getDoc({ Name: 'versioned', VersionName: 'two', DocumentVersion: '3' }), 'InvalidDocumentVersion', /not named two/);
      await apiError(getDoc({ Name: 'versioned', VersionName: 'nine' }), 'InvalidDocumentVersion');
      await apiError(getDoc({ Name: 'versioned', DocumentVersion: '9' }), 'InvalidDocumentVersion', /no version 9/);
      await apiError(getDoc({ Name: 'versioned', DocumentVersion: '0' }), 'ValidationException');
      await apiError(getDoc({ Name: 'missing' }), 'InvalidDocument');

      const moved = (await call('UpdateDocumentDefaultVersion', { Name: 'versioned', DocumentVersion: '2' })) as { Description: Record<string, string> };
      assert.deepEqual(moved.Description, { Name: 'versioned', DefaultVersion: '2', DefaultVersionName: 'two' });
      assert.equal((await getDoc({ Name: 'versioned' })).Content, shellDocument('v2'));
      assert.equal((await getDoc({ Name: 'versioned', DocumentVersion: '$DEFAULT' })).DocumentVersion, '2');
      assert.equal((await getDoc({ Name: 'versioned', DocumentVersion: '$LATEST' })).DocumentVersion, '3');
      const described = await describeDoc({ Name: 'versioned' });
      assert.equal(described.DocumentVersion, '2');
      assert.equal(described.DefaultVersion, '2');
      assert.equal(described.LatestVersion, '3');
      await apiError(call('UpdateDocumentDefaultVersion', { Name: 'versioned', DocumentVersion: '$LATEST' }), 'ValidationException', /'documentVersion'/);
      await apiError(call('UpdateDocumentDefaultVersion', { Name: 'versioned', DocumentVersion: '8' }), 'InvalidDocumentVersion');
      await apiError(call('UpdateDocumentDefaultVersion', { Name: 'missing', DocumentVersion: '1' }), 'InvalidDocument');
    });

    it('ListDocumentVersions lists every version with the default marked, page by page', async () => {
      await update({ Name: 'versioned', Content: shellDocument('v2'), VersionName: 'two' });
      await update({ Name: 'versioned', Content: shellDocument('v3') });
      await call('UpdateDocumentDefaultVersion', { Name: 'versioned', DocumentVersion: '3' });
      const all = await versions({ Name: 'versioned' });
      assert.deepEqual(
        all.DocumentVersions.map((v) => [v.DocumentVersion, v.IsDefaultVersion, v.VersionName]),
        [
          ['1', false, 'one'],
          ['2', false, 'two'],
          ['3', true, undefined],
        ],
      );
      const first = await versions({ Name: 'versioned', MaxResults: 2 });
      assert.equal(first.DocumentVersions.length, 2);
      assert.ok(first.NextToken);
      const second = await versions({ Name: 'versioned', MaxResults: 2, NextToken: first.NextToken });
      assert.deepEqual(second.DocumentVersions.map((v) => v.DocumentVersion), ['3']);
      assert.equal(second.NextToken, undefined);
      await apiError(versions({ Name: 'missing' }), 'InvalidDocument');
      await apiError(versions({ Name: 'versioned', MaxResults: 51 }), 'ValidationException');
      await apiError(versions({ Name: 'versioned', NextToken: 'garbage!' }), 'InvalidNextToken');
      assert.deepEqual((await versions({ Name: 'AWS-RunShellScript' })).DocumentVersions.map((v) => [v.DocumentVersion, v.IsDefaultVersion]), [['1', true]]);
    });

    it('ListDocumentVersions goes on from the last version shown: one deleted between pages hides none', async () => {
      await update({ Name: 'versioned', Content: shellDocument('v2') });
      await update({ Name: 'versioned', Content: shellDocument('v3') });
      await call('UpdateDocumentDefaultVersion', { Name: 'versioned', DocumentVersion: '3' });
      const first = await versions({ Name: 'versioned', MaxResults: 1 });
      assert.deepEqual(first.DocumentVersions.map((v) => v.DocumentVersion), ['1']);
      await call('DeleteDocument', { Name: 'versioned', DocumentVersion: '1' }); // shown already: an offset of 1 would skip version 2
      const second = await versions({ Name: 'versioned', MaxResults: 1, NextToken: first.NextToken });
      assert.deepEqual(second.DocumentVersions.map((v) => v.DocumentVersion), ['2']);
    });
  });

  describe('GetDocument formats', () => {
    it('serves the content exactly as written when the format is the same', async () => {
      await create({ Name: 'as-written', Content: YAML_DOCUMENT, DocumentFormat: 'YAML' });
      const got = await getDoc({ Name: 'as-written' });
      assert.equal(got.Content, YAML_DOCUMENT);
      assert.equal(got.DocumentFormat, 'YAML');
      assert.equal(got.DocumentType, 'Command');
      assert.equal(got.Status, 'Active');
      assert.equal((await getDoc({ Name: 'as-written', DocumentFormat: 'YAML' })).Content, YAML_DOCUMENT);
    });

    it('converts YAML to JSON and JSON to YAML, and the conversions round-trip', async () => {
      await create({ Name: 'from-yaml', Content: YAML_DOCUMENT, DocumentFormat: 'YAML' });
      const original = parseDocument(YAML_DOCUMENT, { name: 'x', format: 'YAML' }).content;
      const asJson = await getDoc({ Name: 'from-yaml', DocumentFormat: 'JSON' });
      assert.equal(asJson.DocumentFormat, 'JSON');
      assert.deepEqual(JSON.parse(asJson.Content), original);

      await create({ Name: 'from-json', Content: asJson.Content });
      const asYaml = await getDoc({ Name: 'from-json', DocumentFormat: 'YAML' });
      assert.equal(asYaml.DocumentFormat, 'YAML');
      // Read back the way SSM Agent and the documents package read YAML (1.1): 'yes', '0755' and '1:30' stay strings.
      assert.deepEqual(parseDocument(asYaml.Content, { name: 'x', format: 'YAML' }).content, original);
      assert.deepEqual(parseYaml(asYaml.Content, { version: '1.1' }), original);

      await create({ Name: 'from-yaml-again', Content: asYaml.Content, DocumentFormat: 'YAML' });
      assert.deepEqual(JSON.parse((await getDoc({ Name: 'from-yaml-again', DocumentFormat: 'JSON' })).Content), original);
    });

    it('converts built-ins too, and refuses TEXT', async () => {
      const yaml = await getDoc({ Name: 'AWS-RunShellScript', DocumentFormat: 'YAML' });
      assert.match(yaml.Content, /^schemaVersion: "2.2"$/m);
      assert.deepEqual(parseDocument(yaml.Content, { name: 'x', format: 'YAML' }).content, (await service.resolve('AWS-RunShellScript')).content);
      await apiError(getDoc({ Name: 'AWS-RunShellScript', DocumentFormat: 'TEXT' }), 'ValidationException', /Invalid document format TEXT/);
    });
  });

  describe('ListDocuments', () => {
    beforeEach(async () => {
      await create({ Name: 'zeta-linux', Content: shellDocument('z'), Tags: [{ Key: 'env', Value: 'prod' }] });
      await create({ Name: 'alpha-windows', Content: JSON.stringify({ schemaVersion: '2.2', description: 'Windows patching helper', mainSteps: [{ action: 'aws:runPowerShellScript', name: 'p', inputs: { runCommand: ['dir'] } }] }), Tags: [{ Key: 'env', Value: 'dev' }], TargetType: '/AWS::EC2::Instance' });
      await create({ Name: 'mid-any', Content: YAML_DOCUMENT, DocumentFormat: 'YAML', Tags: [{ Key: 'team', Value: 'core' }] });
      await create({ Name: 'my-policy', Content: JSON.stringify({ schemaVersion: '2.0', mainSteps: [{ action: 'aws:softwareInventory', name: 'inv', inputs: {} }] }), DocumentType: 'Policy' });
    });

    it('lists every document, Amazon\'s and this account\'s, sorted by name', async () => {
      const names = (await listAll()).map((d) => d.Name);
      assert.deepEqual(names, [...BUILTINS, 'alpha-windows', 'mid-any', 'my-policy', 'zeta-linux']);
      const mine = await listAll({ Filters: [{ Key: 'Owner', Values: ['Self'] }] });
      assert.deepEqual(mine.map((d) => d.Name), ['alpha-windows', 'mid-any', 'my-policy', 'zeta-linux']);
      assert.ok(mine.every((d) => d.Owner === ACCOUNT));
      assert.deepEqual((await listAll({ Filters: [{ Key: 'Owner', Values: ['Private'] }] })).length, 4);
      assert.deepEqual((await listAll({ Filters: [{ Key: 'Owner', Values: ['All'] }] })).length, BUILTINS.length + 4);
      assert.deepEqual(await listAll({ Filters: [{ Key: 'Owner', Values: ['Public'] }] }), []);
      const zeta = (await listAll({ Filters: [{ Key: 'Name', Values: ['zeta'] }] }))[0]!;
      assert.deepEqual(zeta.Tags, [{ Key: 'env', Value: 'prod' }]);
      assert.deepEqual(zeta.PlatformTypes, ['Linux', 'MacOS']);
    });

    it('filters by Name prefix, PlatformTypes, DocumentType, TargetType, SearchKeyword and tags', async () => {
      const names = async (input: Input) => (await listAll(input)).map((d) => d.Name);
      assert.deepEqual(await names({ Filters: [{ Key: 'Name', Values: ['AWS-RunS', 'm'] }] }), ['AWS-RunShellScript', 'mid-any', 'my-policy']);
      assert.deepEqual(await names({ Filters: [{ Key: 'PlatformTypes', Values: ['Windows'] }, { Key: 'Owner', Values: ['Self'] }] }), ['alpha-windows', 'mid-any', 'my-policy']);
      assert.deepEqual(await names({ Filters: [{ Key: 'PlatformTypes', Values: ['MacOS'] }, { Key: 'Owner', Values: ['Amazon'] }] }), BUILTINS);
      assert.deepEqual(await names({ Filters: [{ Key: 'DocumentType', Values: ['Policy'] }] }), ['my-policy']);
      assert.deepEqual(await names({ Filters: [{ Key: 'TargetType', Values: ['/AWS::EC2::Instance'] }] }), ['alpha-windows']);
      assert.deepEqual(await names({ Filters: [{ Key: 'SearchKeyword', Values: ['PATCHING'] }] }), ['alpha-windows']);
      assert.deepEqual(await names({ Filters: [{ Key: 'tag:env', Values: ['prod', 'dev'] }] }), ['alpha-windows', 'zeta-linux']);
      assert.deepEqual(await names({ Filters: [{ Key: 'tag:env', Values: ['dev'] }] }), ['alpha-windows']);
      assert.deepEqual(await names({ Filters: [{ Key: 'tag:team' }] }), ['mid-any']);
      assert.deepEqual(await names({ DocumentFilterList: [{ key: 'Owner', value: 'Self' }, { key: 'PlatformTypes', value: 'Linux' }] }), ['alpha-windows', 'mid-any', 'my-policy', 'zeta-linux']);
      assert.deepEqual(await names({ DocumentFilterList: [{ key: 'Owner', value: 'Self' }, { key: 'PlatformTypes', value: 'Windows' }] }), ['alpha-windows', 'mid-any', 'my-policy']);
      assert.deepEqual(await names({ DocumentFilterList: [{ key: 'Name', value: 'AWS-RunDocument' }] }), ['AWS-RunDocument']);
      assert.deepEqual(await names({ DocumentFilterList: [{ key: 'DocumentType', value: 'Command' }], Filters: [{ Key: 'Owner', Values: ['Self'] }] }), ['alpha-windows', 'mid-any', 'zeta-linux']);
    });

    it('refuses bad filters', async () => {
      await apiError(list({ Filters: [{ Key: 'Colour', Values: ['red'] }] }), 'InvalidFilterKey', /Colour/);
      await apiError(list({ Filters: [{ Values: ['red'] }] }), 'InvalidFilterKey');
      await apiError(list({ Filters: [{ Key: 'Owner', Values: ['Self', 'Amazon'] }] }), 'ValidationException', /exactly one value/);
      await apiError(list({ Filters: [{ Key: 'Owner', Values: ['Me'] }] }), 'ValidationException', /Owner/);
      await apiError(list({ Filters: [{ Key: 'PlatformTypes', Values: ['Solaris'] }] }), 'ValidationException', /Windows, Linux, MacOS/);
      await apiError(list({ Filters: [{ Key: 'Name', Values: [] }] }), 'ValidationException', /at least one value/);
      await apiError(list({ Filters: Array.from({ length: 7 }, () => ({ Key: 'Name', Values: ['a'] })) }), 'ValidationException');
      await apiError(list({ DocumentFilterList: [{ key: 'TargetType', value: '/' }] }), 'ValidationException', /enum value set/);
      await apiError(list({ DocumentFilterList: [] }), 'ValidationException');
    });

    it('pages with MaxResults and NextToken', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await list({ MaxResults: 3, NextToken: token });
        assert.ok(page.DocumentIdentifiers.length <= 3);
        seen.push(...page.DocumentIdentifiers.map((d) => d.Name));
        token = page.NextToken;
        pages += 1;
      } while (token);
      const all = (await listAll()).map((d) => d.Name);
      assert.equal(pages, Math.ceil(all.length / 3));
      assert.deepEqual(seen, all);
      await apiError(list({ MaxResults: 0 }), 'ValidationException');
      await apiError(list({ MaxResults: 51 }), 'ValidationException');
      await apiError(list({ NextToken: 'not-a-token' }), 'InvalidNextToken');
      const other = await versions({ Name: 'mid-any', MaxResults: 1 });
      assert.equal(other.NextToken, undefined);
      const token2 = (await list({ MaxResults: 1 })).NextToken;
      await apiError(versions({ Name: 'mid-any', NextToken: token2 }), 'InvalidNextToken', /not valid/);
    });

    it('goes on from the last name shown: a document created or deleted between pages repeats none and hides none', async () => {
      const all = (await listAll()).map((d) => d.Name);
      const first = await list({ MaxResults: 3 });
      assert.deepEqual(first.DocumentIdentifiers.map((d) => d.Name), all.slice(0, 3));
      await create({ Name: '0-first-of-all', Content: shellDocument() }); // before the position: an offset would repeat one
      await call('DeleteDocument', { Name: 'zeta-linux' }); // after it: simply not shown
      const rest: string[] = [];
      let token = first.NextToken;
      while (token) {
        const page = await list({ MaxResults: 3, NextToken: token });
        rest.push(...page.DocumentIdentifiers.map((d) => d.Name));
        token = page.NextToken;
      }
      assert.deepEqual(rest, all.slice(3).filter((name) => name !== 'zeta-linux'));
    });

    it('reports each document\'s default version', async () => {
      await update({ Name: 'zeta-linux', Content: JSON.stringify({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runPowerShellScript', name: 'p', inputs: { runCommand: ['dir'] } }] }) });
      let zeta = (await listAll({ Filters: [{ Key: 'Name', Values: ['zeta'] }] }))[0]!;
      assert.equal(zeta.DocumentVersion, '1');
      assert.deepEqual(zeta.PlatformTypes, ['Linux', 'MacOS']);
      await call('UpdateDocumentDefaultVersion', { Name: 'zeta-linux', DocumentVersion: '2' });
      zeta = (await listAll({ Filters: [{ Key: 'Name', Values: ['zeta'] }] }))[0]!;
      assert.equal(zeta.DocumentVersion, '2');
      assert.deepEqual(zeta.PlatformTypes, ['Windows', 'Linux', 'MacOS']);
    });
  });

  describe('DeleteDocument', () => {
    beforeEach(async () => {
      await create({ Name: 'doomed', Content: shellDocument('v1'), Tags: [{ Key: 'a', Value: 'b' }] });
      await update({ Name: 'doomed', Content: shellDocument('v2'), VersionName: 'two' });
      await update({ Name: 'doomed', Content: shellDocument('v3') });
    });

    it('deletes one version that is not the default', async () => {
      await call('DeleteDocument', { Name: 'doomed', DocumentVersion: '2' });
      assert.deepEqual((await versions({ Name: 'doomed' })).DocumentVersions.map((v) => v.DocumentVersion), ['1', '3']);
      await apiError(getDoc({ Name: 'doomed', DocumentVersion: '2' }), 'InvalidDocumentVersion');
      assert.equal(await storedContents(), 2);
      await apiError(call('DeleteDocument', { Name: 'doomed', DocumentVersion: '2' }), 'InvalidDocument', /no version 2/);
      await apiError(call('DeleteDocument', { Name: 'doomed', VersionName: 'two' }), 'InvalidDocument');
    });

    it('deletes by VersionName and by $LATEST; the latest version moves back', async () => {
      await call('DeleteDocument', { Name: 'doomed', VersionName: 'two' });
      await call('DeleteDocument', { Name: 'doomed', DocumentVersion: '$LATEST' });
      const d = await describeDoc({ Name: 'doomed' });
      assert.equal(d.LatestVersion, '1');
      const v4 = await update({ Name: 'doomed', Content: shellDocument('v4') });
      assert.equal(v4.DocumentVersion, '4');
    });

    it('refuses to delete the default version on its own', async () => {
      await apiError(call('DeleteDocument', { Name: 'doomed', DocumentVersion: '1' }), 'InvalidDocumentOperation', /default version/);
      await apiError(call('DeleteDocument', { Name: 'doomed', DocumentVersion: '$DEFAULT' }), 'InvalidDocumentOperation');
      await call('UpdateDocumentDefaultVersion', { Name: 'doomed', DocumentVersion: '3' });
      await call('DeleteDocument', { Name: 'doomed', DocumentVersion: '1' });
      await apiError(call('DeleteDocument', { Name: 'doomed', DocumentVersion: '$LATEST' }), 'InvalidDocumentOperation', /default version/);
    });

    it('deletes the whole document, its content and its tags', async () => {
      await call('DeleteDocument', { Name: 'doomed' });
      await apiError(getDoc({ Name: 'doomed' }), 'InvalidDocument');
      await apiError(describeDoc({ Name: 'doomed' }), 'InvalidDocument');
      await apiError(call('DeleteDocument', { Name: 'doomed' }), 'InvalidDocument');
      assert.equal(await storedContents(), 0);
      const again = await create({ Name: 'doomed', Content: shellDocument('fresh') });
      assert.equal(again.DocumentVersion, '1');
      assert.deepEqual(again.Tags, []);
      await apiError(call('DeleteDocument', { Name: 'doomed', Force: 'yes' }), 'SerializationException');
    });
  });

  describe('resolve (for the Commands API)', () => {
    beforeEach(async () => {
      await create({ Name: 'runnable', Content: shellDocument('v1') });
      await update({ Name: 'runnable', Content: shellDocument('v2') });
    });

    it('resolves the default, $DEFAULT, $LATEST and numbers', async () => {
      const byDefault = await service.resolve('runnable');
      assert.equal(byDefault.name, 'runnable');
      assert.equal(byDefault.version, '1');
      assert.equal(byDefault.hash, sha256(shellDocument('v1')));
      assert.equal(byDefault.owner, ACCOUNT);
      assert.equal(byDefault.documentType, 'Command');
      assert.equal(byDefault.format, 'JSON');
      assert.equal(byDefault.document.description, 'Says v1');
      assert.equal(byDefault.content, byDefault.document.content);
      assert.equal((await service.resolve('runnable', '$DEFAULT')).version, '1');
      assert.equal((await service.resolve('runnable', '$LATEST')).version, '2');
      assert.equal((await service.resolve('runnable', '2')).document.description, 'Says v2');
      assert.equal((await service.resolve(`arn:aws:ssm:${REGION}:${ACCOUNT}:document/runnable`)).name, 'runnable');
    });

    it('checks DocumentHash', async () => {
      const hash = sha256(shellDocument('v2'));
      assert.equal((await service.resolve('runnable', '$LATEST', hash)).version, '2');
      assert.equal((await service.resolve('runnable', '2', hash.toUpperCase())).version, '2');
      await apiError(service.resolve('runnable', '1', hash), 'InvalidDocument', /hash does not match/);
    });

    it('answers SSM\'s errors for unknown documents and versions', async () => {
      await apiError(service.resolve('nothing-here'), 'InvalidDocument');
      await apiError(service.resolve('runnable', '5'), 'InvalidDocumentVersion');
      await apiError(service.resolve('runnable', 'latest'), 'InvalidDocumentVersion');
    });

    it('hands out a copy: changing it changes nothing for the next caller', async () => {
      const first = await service.resolve('runnable');
      (first.document.steps[0]!.inputs as Record<string, unknown>).runCommand = ['rm -rf /'];
      first.content.description = 'changed';
      const second = await service.resolve('runnable');
      assert.deepEqual(second.document.steps[0]!.inputs.runCommand, ['echo {{ Message }}']);
      assert.equal(second.content.description, 'Says v1');
    });
  });

  describe('platform types', () => {
    it('follow the actions (1.2 documents by plugin, unknown actions everywhere)', () => {
      const of = (...actions: string[]) => platformTypesOf({ actions });
      assert.deepEqual(of('aws:runShellScript'), ['Linux', 'MacOS']);
      assert.deepEqual(of('aws:runPowerShellScript'), ['Windows', 'Linux', 'MacOS']);
      assert.deepEqual(of('aws:psModule', 'aws:applications'), ['Windows']);
      assert.deepEqual(of('aws:psModule', 'aws:runShellScript'), ['Windows', 'Linux', 'MacOS']);
      assert.deepEqual(of('tender:somethingNew'), ['Windows', 'Linux', 'MacOS']);
      assert.deepEqual(of(), ['Windows', 'Linux', 'MacOS']);
    });

    it('of the corpus\'s documents, created under new names', async function () {
      if (!existsSync(CORPUS)) {
        console.log(`      (skipped: SSM corpus not found at ${CORPUS})`);
        this.skip();
      }
      const rows: string[] = [];
      for (const file of (await readdir(CORPUS)).sort()) {
        const text = await readFile(path.join(CORPUS, file), 'utf8');
        const format = file.endsWith('.yaml') ? 'YAML' : 'JSON';
        const name = `corpus-${file.replace(/\.(json|yaml)$/, '').replace(/[^a-zA-Z0-9_.-]/g, '-')}`.slice(0, 128);
        let parsed;
        try {
          parsed = parseDocument(text, { name, format, documentType: file.includes('SoftwareInventoryPolicy') ? 'Policy' : 'Command' });
        } catch {
          continue; // the documents package's own corpus test covers what it refuses
        }
        const d = await create({ Name: name, Content: text, DocumentFormat: format, DocumentType: parsed.documentType });
        assert.equal(d.Hash, sha256(text));
        assert.deepEqual(d.PlatformTypes, platformTypesOf(parsed));
        rows.push(`${d.PlatformTypes.join(',').padEnd(20)} ${file}`);
      }
      assert.ok(rows.length > 40, `created ${rows.length} corpus documents`);
      const byName = (await describeDoc({ Name: 'corpus-AWS-RunShellScript' })).PlatformTypes;
      assert.deepEqual(byName, ['Linux', 'MacOS'], 'a 1.2 document, by its plugin');
    });
  });
});
