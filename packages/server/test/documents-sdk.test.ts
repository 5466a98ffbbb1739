import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  DocumentAlreadyExists,
  DuplicateDocumentContent,
  GetDocumentCommand,
  InvalidDocument,
  InvalidDocumentContent,
  InvalidDocumentOperation,
  InvalidDocumentVersion,
  ListDocumentVersionsCommand,
  ListDocumentsCommand,
  paginateListDocuments,
  paginateListDocumentVersions,
  SSMClient,
  SSMServiceException,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  type DocumentIdentifier,
} from '@aws-sdk/client-ssm';
import { parseDocument } from '@tender/documents';
import { pino } from 'pino';
import { AccessKeys } from '../src/access/access-keys.js';
import { createRequestListener } from '../src/api/http-api.js';
import type { AuditRecord } from '../src/audit/audit-record.js';
import { AuditTrail } from '../src/audit/audit-trail.js';
import { DocumentService, documentOperations } from '../src/documents/index.js';
import { FileStore } from '../src/store/file-store.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/ssm-corpus/command');

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The corpus's YAML command documents that the documents package accepts, by file name. */
async function corpusYaml(): Promise<Array<{ file: string; text: string }>> {
  const found: Array<{ file: string; text: string }> = [];
  for (const file of (await readdir(CORPUS)).sort()) {
    if (!file.endsWith('.yaml')) continue;
    const text = await readFile(path.join(CORPUS, file), 'utf8');
    try {
      const parsed = parseDocument(text, { name: file, format: 'YAML' });
      if (parsed.documentType === 'Command') found.push({ file, text });
    } catch {
      // Refused by the documents package (or a Policy document): its own corpus test reports those.
    }
  }
  return found;
}

describe('Documents API over HTTP with the AWS SDK', function () {
  this.timeout(30000);
  let dir: string;
  let store: FileStore;
  let trail: AuditTrail;
  let server: Server;
  let endpoint: string;
  let admin: Credentials;
  let reader: Credentials;
  const clients: SSMClient[] = [];

  function client(credentials: Credentials): SSMClient {
    const c = new SSMClient({ region: REGION, endpoint, credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  }

  async function sdkError<T extends SSMServiceException>(promise: Promise<unknown>, type?: new (...args: never[]) => T): Promise<SSMServiceException> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof SSMServiceException, `expected an SSM service error, got ${String(error)}`);
      if (type) assert.ok(error instanceof type, `expected ${type.name}, got ${error.name}: ${error.message}`);
      return error;
    }
    assert.fail('the call succeeded');
  }

  async function auditRecords(): Promise<AuditRecord[]> {
    const text = await readFile(path.join(dir, 'audit.log'), 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AuditRecord);
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-documents-sdk-'));
    store = await FileStore.open(dir);
    const accessKeys = new AccessKeys(store, randomBytes(32), ACCOUNT);
    const a = await accessKeys.create('admin');
    admin = { accessKeyId: a.record.accessKeyId, secretAccessKey: a.secretAccessKey };
    const r = await accessKeys.create('reader', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['ssm:GetDocument', 'ssm:DescribeDocument'],
          Resource: [`arn:aws:ssm:${REGION}:${ACCOUNT}:document/team-*`, `arn:aws:ssm:${REGION}::document/AWS-*`],
        },
        { Effect: 'Allow', Action: 'ssm:ListDocuments', Resource: '*' },
      ],
    });
    reader = { accessKeyId: r.record.accessKeyId, secretAccessKey: r.secretAccessKey };
    trail = await AuditTrail.open(path.join(dir, 'audit.log'));
    const documents = await DocumentService.open(store);
    const listener = createRequestListener({
      operations: documentOperations(documents),
      accessKeys,
      audit: (event) => trail.append(event),
      region: REGION,
      accountId: ACCOUNT,
      logger: pino({ level: 'silent' }),
    });
    server = http.createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const c of clients) c.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await trail.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates, reads, describes, updates, lists and deletes a YAML document from the corpus', async function () {
    if (!existsSync(CORPUS)) {
      // The corpus lives outside the repository (../shared/ssm-corpus); without it there is nothing to send.
      this.skip();
    }
    const yaml = await corpusYaml();
    assert.ok(yaml.length > 0, 'the corpus has YAML command documents');
    const ssm = client(admin);

    // Every accepted YAML command document of the corpus goes in and comes back byte for byte.
    for (const { file, text } of yaml) {
      const name = `team-${file.replace(/\.yaml$/, '')}`;
      const created = await ssm.send(new CreateDocumentCommand({ Name: name, Content: text, DocumentFormat: 'YAML', DocumentType: 'Command', Tags: [{ Key: 'source', Value: 'corpus' }] }));
      assert.equal(created.DocumentDescription?.Name, name);
      assert.equal(created.DocumentDescription?.Hash, sha256(text), file);
      assert.equal(created.DocumentDescription?.HashType, 'Sha256');
      assert.equal(created.DocumentDescription?.DocumentVersion, '1');
      assert.equal(created.DocumentDescription?.Status, 'Active');
      assert.ok(created.DocumentDescription?.CreatedDate instanceof Date);
      const got = await ssm.send(new GetDocumentCommand({ Name: name }));
      assert.equal(got.Content, text, `${file} comes back as written`);
      assert.equal(got.DocumentFormat, 'YAML');
    }

    const { file, text } = yaml[0]!;
    const name = `team-${file.replace(/\.yaml$/, '')}`;
    const original = parseDocument(text, { name, format: 'YAML' }).content;

    const asJson = await ssm.send(new GetDocumentCommand({ Name: name, DocumentFormat: 'JSON' }));
    assert.equal(asJson.DocumentFormat, 'JSON');
    assert.deepEqual(JSON.parse(asJson.Content!), original);

    const described = await ssm.send(new DescribeDocumentCommand({ Name: name }));
    const doc = described.Document!;
    assert.equal(doc.Owner, ACCOUNT);
    assert.equal(doc.SchemaVersion, String(original.schemaVersion));
    assert.equal(doc.DocumentType, 'Command');
    assert.equal(doc.DocumentFormat, 'YAML');
    assert.equal(doc.LatestVersion, '1');
    assert.equal(doc.DefaultVersion, '1');
    assert.ok((doc.PlatformTypes ?? []).length > 0);
    assert.deepEqual(doc.Parameters?.map((p) => p.Name), Object.keys((original.parameters ?? {}) as object));
    assert.deepEqual(doc.Tags, [{ Key: 'source', Value: 'corpus' }]);

    // UpdateDocument: the JSON form of the same document is different text, so it is a new version.
    const updated = await ssm.send(new UpdateDocumentCommand({ Name: name, Content: asJson.Content, DocumentFormat: 'JSON', DocumentVersion: '$LATEST', VersionName: 'as-json' }));
    assert.equal(updated.DocumentDescription?.DocumentVersion, '2');
    assert.equal(updated.DocumentDescription?.LatestVersion, '2');
    assert.equal(updated.DocumentDescription?.DefaultVersion, '1');
    const again = await sdkError(ssm.send(new UpdateDocumentCommand({ Name: name, Content: asJson.Content, DocumentFormat: 'JSON', DocumentVersion: '2' })), DuplicateDocumentContent);
    assert.equal(again.$metadata.httpStatusCode, 400);
    await sdkError(ssm.send(new UpdateDocumentCommand({ Name: name, Content: `${asJson.Content} `, DocumentFormat: 'JSON', DocumentVersion: '1' })), InvalidDocumentVersion);

    const latest = await ssm.send(new GetDocumentCommand({ Name: name, DocumentVersion: '$LATEST' }));
    assert.equal(latest.Content, asJson.Content);
    assert.equal(latest.VersionName, 'as-json');
    const moved = await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: name, DocumentVersion: '2' }));
    assert.equal(moved.Description?.DefaultVersion, '2');
    assert.equal(moved.Description?.DefaultVersionName, 'as-json');

    const versions: string[] = [];
    for await (const page of paginateListDocumentVersions({ client: ssm, pageSize: 1 }, { Name: name })) {
      versions.push(...(page.DocumentVersions ?? []).map((v) => `${v.DocumentVersion}${v.IsDefaultVersion ? '*' : ''}`));
    }
    assert.deepEqual(versions, ['1', '2*']);

    // ListDocuments, paged by the SDK's paginator.
    const listed: DocumentIdentifier[] = [];
    let pages = 0;
    for await (const page of paginateListDocuments({ client: ssm, pageSize: 2 }, { Filters: [{ Key: 'Owner', Values: ['Self'] }] })) {
      pages += 1;
      assert.ok((page.DocumentIdentifiers ?? []).length <= 2);
      listed.push(...(page.DocumentIdentifiers ?? []));
    }
    assert.equal(pages, Math.ceil(yaml.length / 2));
    assert.deepEqual(listed.map((d) => d.Name), yaml.map((y) => `team-${y.file.replace(/\.yaml$/, '')}`).sort());
    assert.equal(listed.find((d) => d.Name === name)?.DocumentVersion, '2', 'ListDocuments reports the default version');
    const amazon = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'Owner', Values: ['Amazon'] }] }));
    assert.deepEqual(amazon.DocumentIdentifiers?.map((d) => [d.Name, d.Owner]), [
      ['AWS-GatherSoftwareInventory', 'Amazon'],
      ['AWS-RunDocument', 'Amazon'],
      ['AWS-RunPatchBaseline', 'Amazon'],
      ['AWS-RunPowerShellScript', 'Amazon'],
      ['AWS-RunRemoteScript', 'Amazon'],
      ['AWS-RunShellScript', 'Amazon'],
    ]);

    // DeleteDocument: one version, then the document.
    await sdkError(ssm.send(new DeleteDocumentCommand({ Name: name, DocumentVersion: '2' })), InvalidDocumentOperation);
    await ssm.send(new DeleteDocumentCommand({ Name: name, DocumentVersion: '1' }));
    assert.equal((await ssm.send(new ListDocumentVersionsCommand({ Name: name }))).DocumentVersions?.length, 1);
    await ssm.send(new DeleteDocumentCommand({ Name: name }));
    await sdkError(ssm.send(new GetDocumentCommand({ Name: name })), InvalidDocument);
    await sdkError(ssm.send(new DescribeDocumentCommand({ Name: name })), InvalidDocument);
  });

  it('answers with SSM\'s error types', async () => {
    const ssm = client(admin);
    const content = JSON.stringify({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 'hi', inputs: { runCommand: ['echo hi'] } }] });
    await ssm.send(new CreateDocumentCommand({ Name: 'team-errors', Content: content }));
    await sdkError(ssm.send(new CreateDocumentCommand({ Name: 'team-errors', Content: content })), DocumentAlreadyExists);
    const invalid = await sdkError(ssm.send(new CreateDocumentCommand({ Name: 'team-invalid', Content: '{"schemaVersion": "2.2", "mainSteps": [{}]}' })), InvalidDocumentContent);
    assert.match(invalid.message, /^team-invalid: mainSteps\[0\]/);
    const schema = await sdkError(ssm.send(new CreateDocumentCommand({ Name: 'team-schema', Content: '{"schemaVersion": "0.3", "mainSteps": []}' })));
    assert.equal(schema.name, 'InvalidDocumentSchemaVersion');
    const reserved = await sdkError(ssm.send(new CreateDocumentCommand({ Name: 'AWS-Mine', Content: content })));
    assert.equal(reserved.name, 'ValidationException');
    assert.match(reserved.message, /^Invalid document name AWS-Mine/);
    const big = await sdkError(ssm.send(new CreateDocumentCommand({ Name: 'team-big', Content: content.replace('echo hi', `echo ${'x'.repeat(70_000)}`) })));
    assert.equal(big.name, 'MaxDocumentSizeExceeded');
    await sdkError(ssm.send(new DeleteDocumentCommand({ Name: 'AWS-RunShellScript' })), InvalidDocumentOperation);
    await sdkError(ssm.send(new GetDocumentCommand({ Name: 'team-errors', DocumentVersion: '4' })), InvalidDocumentVersion);
    const yaml = await ssm.send(new GetDocumentCommand({ Name: 'AWS-RunShellScript', DocumentFormat: 'YAML' }));
    assert.match(yaml.Content ?? '', /aws:runShellScript/);
    await ssm.send(new DeleteDocumentCommand({ Name: 'team-errors' }));
  });

  it('checks the caller\'s policy against document ARNs (Amazon\'s have no account)', async () => {
    const ssm = client(admin);
    const content = JSON.stringify({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 'hi', inputs: { runCommand: ['echo hi'] } }] });
    await ssm.send(new CreateDocumentCommand({ Name: 'team-shared', Content: content }));
    await ssm.send(new CreateDocumentCommand({ Name: 'private-doc', Content: content }));
    const limited = client(reader);
    const before = (await auditRecords()).length;
    assert.equal((await limited.send(new GetDocumentCommand({ Name: 'team-shared' }))).Content, content);
    assert.equal((await limited.send(new DescribeDocumentCommand({ Name: 'AWS-RunShellScript' }))).Document?.Owner, 'Amazon');
    const denied = await sdkError(limited.send(new GetDocumentCommand({ Name: 'private-doc' })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.match(denied.message, new RegExp(`arn:aws:ssm:${REGION}:${ACCOUNT}:document/private-doc`));
    const write = await sdkError(limited.send(new DeleteDocumentCommand({ Name: 'team-shared' })));
    assert.equal(write.name, 'AccessDeniedException');
    const added = (await auditRecords()).slice(before);
    assert.deepEqual(
      added.map((r) => [r.operation, r.outcome, r.resources]),
      [
        ['AmazonSSM.GetDocument', 'success', [`arn:aws:ssm:${REGION}:${ACCOUNT}:document/team-shared`]],
        ['AmazonSSM.DescribeDocument', 'success', [`arn:aws:ssm:${REGION}::document/AWS-RunShellScript`]],
        ['AmazonSSM.GetDocument', 'denied', [`arn:aws:ssm:${REGION}:${ACCOUNT}:document/private-doc`]],
        ['AmazonSSM.DeleteDocument', 'denied', [`arn:aws:ssm:${REGION}:${ACCOUNT}:document/team-shared`]],
      ],
    );
    await ssm.send(new DeleteDocumentCommand({ Name: 'team-shared' }));
    await ssm.send(new DeleteDocumentCommand({ Name: 'private-doc' }));
  });
});
