import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseDocument, type CommandDocument } from '@tender/documents';
import {
  createMessage,
  generateSigningKeyPair,
  toBase64,
  type CommandBody,
  type CommandResultBody,
  type Message,
  type SigningKeyPair,
  type StepResultBody,
} from '@tender/protocol';
import { ApiError } from '../src/api/errors.js';
import type { Input } from '../src/api/operation.js';
import type { Tag } from '../src/api/validate.js';
import {
  agentMessageHandlers,
  commandOperations,
  CommandService,
  OUTPUT_HEADERS,
  outputUploadPath,
  signOutputUpload,
  type CommandRecord,
  type InvocationRecord,
  type ResolveDocument,
} from '../src/commands/index.js';
import { finalCommandStatus } from '../src/commands/command-status.js';
import { pluginOutput } from '../src/commands/plugin-output.js';
import { concurrencyLimit, errorLimit } from '../src/commands/rate-controls.js';
import { WriteBehind } from '../src/commands/write-behind.js';
import { InstanceRegistry, type InstanceRecord } from '../src/instances/instance-registry.js';
import { FileStore } from '../src/store/file-store.js';
import { apiError, ManualClock, testContext } from './support/operation-harness.js';
import { hostInfo, instanceRecord } from './support/instance-records.js';

// ---- harness --------------------------------------------------------------------------------------------

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const idOf = (n: number): string => `mi-${n.toString(16).padStart(17, '0')}`;

function instance(n: number, over: Partial<InstanceRecord> = {}): InstanceRecord {
  return instanceRecord(idOf(n), { RegistrationDate: new Date(T0).toISOString(), publicKey: Buffer.alloc(32, n).toString('base64'), boxPublicKey: Buffer.alloc(32, n + 1).toString('base64'), info: hostInfo(`host-${n}`), ...over });
}

const RUN_SHELL = {
  schemaVersion: '2.2',
  description: 'Run a shell script (test copy of AWS-RunShellScript)',
  parameters: {
    commands: { type: 'StringList', description: 'commands', allowedPattern: '^[a-zA-Z0-9 ._{}:/-]+$' },
    workingDirectory: { type: 'String', default: '', description: 'dir' },
    executionTimeout: { type: 'String', default: '3600', description: 'timeout' },
  },
  mainSteps: [{ action: 'aws:runShellScript', name: 'runShellScript', inputs: { runCommand: '{{ commands }}', workingDirectory: '{{ workingDirectory }}', timeoutSeconds: '{{ executionTimeout }}' } }],
};
const MULTI_STEP = {
  schemaVersion: '2.2',
  description: 'two steps',
  mainSteps: [
    { action: 'aws:runShellScript', name: 'first', inputs: { runCommand: ['echo one'] } },
    { action: 'aws:runShellScript', name: 'second', inputs: { runCommand: ['echo two'] } },
  ],
};
const SSM_DEFAULT = {
  schemaVersion: '2.2',
  description: 'a default that reads Parameter Store',
  parameters: { host: { type: 'String', default: '{{ssm:/app/db-host}}' } },
  mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['ping {{ host }}'] } }],
};
const POLICY = {
  schemaVersion: '2.0',
  description: 'a policy document',
  mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['true'] } }],
};

const DOCUMENTS: Record<string, { content: Record<string, unknown>; type?: 'Policy' }> = {
  'Test-RunShellScript': { content: RUN_SHELL },
  'Test-MultiStep': { content: MULTI_STEP },
  'Test-SsmDefault': { content: SSM_DEFAULT },
  'Test-Policy': { content: POLICY, type: 'Policy' },
};

const resolveDocument: ResolveDocument = async (name, version, hash) => {
  const entry = DOCUMENTS[name];
  if (!entry) throw new ApiError('InvalidDocument', `Document ${name} does not exist`);
  if (version !== undefined && version !== '1' && version !== '$LATEST' && version !== '$DEFAULT') {
    throw new ApiError('InvalidDocumentVersion', `Document ${name} has no version ${version}`);
  }
  const text = JSON.stringify(entry.content);
  const sha = createHash('sha256').update(text).digest('hex');
  if (hash !== undefined && hash !== sha) throw new ApiError('InvalidDocument', `Document ${name} does not have hash ${hash}`);
  const document: CommandDocument = parseDocument(text, { name, documentType: entry.type ?? 'Command' });
  return { name, version: '1', document, content: entry.content, hash: sha };
};

interface Sent {
  instanceId: string;
  type: string;
  body: unknown;
}

/** A test bed: a FileStore and registry in a temporary directory, a fake gateway, and the service. */
class Bed {
  dir = '';
  clock = new ManualClock(T0);
  store!: FileStore;
  registry!: InstanceRegistry;
  service!: CommandService;
  sent: Sent[] = [];
  /** Called for each message before it is recorded (tests use it to look at the store at send time). */
  onSend: (message: Sent) => void | Promise<void> = () => undefined;
  readonly keys = new Map<string, SigningKeyPair>();

  static async create(instances: InstanceRecord[], options: { resendAfterMs?: number } = {}): Promise<Bed> {
    const bed = new Bed();
    bed.dir = await mkdtemp(path.join(os.tmpdir(), 'tender-commands-'));
    await bed.open(options);
    for (const record of instances) await bed.registry.add(record);
    await bed.service.start();
    return bed;
  }

  async open(options: { resendAfterMs?: number } = {}): Promise<void> {
    this.store = await FileStore.open(this.dir);
    this.registry = await InstanceRegistry.open(this.store, { now: this.clock.now, flushEveryMs: 3_600_000 });
    this.service = new CommandService({
      store: this.store,
      registry: this.registry,
      send: async (instanceId, type, body) => {
        const message = { instanceId, type, body: structuredClone(body) };
        this.sent.push(message);
        await this.onSend(message);
        return message;
      },
      resolveDocument,
      now: this.clock.now,
      outputsDir: path.join(this.dir, 'outputs'),
      region: 'us-east-1',
      accountId: '123456789012',
      endpoint: () => 'http://tender.test:8700',
      tickMs: 0,
      ...(options.resendAfterMs !== undefined ? { resendAfterMs: options.resendAfterMs } : {}),
    });
  }

  /** Drop the service (as a crash would, after its last awaited write) and bring up a new one on the same directory. */
  async restart(): Promise<void> {
    await this.service.stop();
    await this.registry.close();
    await this.store.close();
    await this.open();
    await this.service.start();
    await this.service.whenSent();
  }

  async close(): Promise<void> {
    await this.service.stop();
    await this.registry.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  async call(name: string, input: Input): Promise<Record<string, unknown>> {
    const operation = commandOperations(this.service).find((op) => op.name === name);
    if (!operation) throw new Error(`no operation ${name}`);
    const result = (await operation.handle(input, testContext)) as Record<string, unknown>;
    await this.service.whenSent();
    return result;
  }

  async tick(): Promise<void> {
    await this.service.tick();
    await this.service.whenSent();
  }

  async send(input: Input): Promise<Record<string, unknown> & { CommandId: string }> {
    const { Command } = (await this.call('SendCommand', input)) as { Command: Record<string, unknown> & { CommandId: string } };
    return Command;
  }

  async command(commandId: string): Promise<Record<string, unknown>> {
    const { Commands } = (await this.call('ListCommands', { CommandId: commandId })) as { Commands: Array<Record<string, unknown>> };
    return Commands[0]!;
  }

  async invocation(commandId: string, instanceId: string): Promise<InvocationRecord> {
    const found = await this.service.getInvocation(commandId, instanceId);
    assert.ok(found, `no invocation ${commandId} on ${instanceId}`);
    return found.invocation;
  }

  async statuses(commandId: string): Promise<string[]> {
    return (await this.service.listInvocations(commandId)).map((i) => `${i.InstanceId.slice(-2)}:${i.Status}/${i.StatusDetails}`);
  }

  commandsSent(commandId?: string): Sent[] {
    return this.sent.filter((m) => m.type === 'command' && (commandId === undefined || (m.body as CommandBody).commandId === commandId));
  }

  ofType(type: string, instanceId?: string): Sent[] {
    return this.sent.filter((m) => m.type === type && (instanceId === undefined || m.instanceId === instanceId));
  }

  message<B>(type: string, from: string, body: B): Message<B> {
    return createMessage({ type, from, to: 'tender-control-plane', body, ts: this.clock.ms });
  }

  async ack(instanceId: string, commandId: string): Promise<void> {
    await agentMessageHandlers(this.service)['command-ack'](this.message('command-ack', instanceId, { commandId, accepted: 'new' }));
    await this.service.whenSent();
  }

  async result(instanceId: string, commandId: string, status = 'Success', over: Partial<CommandResultBody> = {}): Promise<void> {
    const body: CommandResultBody = {
      commandId,
      status,
      responseCode: status === 'Success' ? 0 : 1,
      startedAt: new Date(this.clock.ms - 1500).toISOString(),
      endedAt: new Date(this.clock.ms).toISOString(),
      steps: [step('runShellScript', status, { stdout: `ran on ${instanceId}\n` })],
      ...over,
    };
    await agentMessageHandlers(this.service)['command-result'](this.message('command-result', instanceId, body));
    await this.service.whenSent();
  }
}

function step(name: string, status: string, over: { stdout?: string; stderr?: string; stdoutBytes?: number; responseCode?: number; statusDetails?: string } = {}): StepResultBody {
  const stdout = over.stdout ?? '';
  const stderr = over.stderr ?? '';
  const result: StepResultBody = {
    name,
    action: 'aws:runShellScript',
    status,
    responseCode: over.responseCode ?? (status === 'Success' ? 0 : 1),
    startedAt: new Date(T0).toISOString(),
    endedAt: new Date(T0 + 1500).toISOString(),
    stdout: { preview: stdout, bytes: over.stdoutBytes ?? Buffer.byteLength(stdout) },
    stderr: { preview: stderr, bytes: Buffer.byteLength(stderr) },
  };
  if (over.statusDetails !== undefined) result.statusDetails = over.statusDetails;
  return result;
}

async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const fleet = (count: number, over: (n: number) => Partial<InstanceRecord> = () => ({})): InstanceRecord[] =>
  Array.from({ length: count }, (_, i) => instance(i + 1, over(i + 1)));
const ids = (count: number): string[] => Array.from({ length: count }, (_, i) => idOf(i + 1));
const run = (over: Input = {}): Input => ({ DocumentName: 'Test-RunShellScript', Parameters: { commands: ['echo hi'] }, ...over });

// ---- tests ----------------------------------------------------------------------------------------------

describe('commands: SendCommand', () => {
  let bed: Bed;
  beforeEach(async () => {
    bed = await Bed.create([
      ...fleet(3, (n) => ({ Tags: [{ Key: 'Role', Value: n === 3 ? 'db' : 'web' }, { Key: 'Env', Value: 'prod' }] satisfies Tag[] })),
      instance(4, { Tags: [{ Key: 'Owner', Value: 'ops' }] }),
    ]);
  });
  afterEach(() => bed.close());

  it('creates a command with SSM fields and dispatches it', async () => {
    const command = await bed.send(run({ InstanceIds: [idOf(1), idOf(2)], Comment: 'hello' }));
    assert.match(command.CommandId, UUID);
    assert.equal(command.Status, 'Pending');
    assert.equal(command.StatusDetails, 'Pending');
    assert.equal(command.DocumentName, 'Test-RunShellScript');
    assert.equal(command.DocumentVersion, '1');
    assert.equal(command.Comment, 'hello');
    assert.equal(command.TargetCount, 2);
    assert.equal(command.CompletedCount, 0);
    assert.equal(command.ErrorCount, 0);
    assert.equal(command.DeliveryTimedOutCount, 0);
    assert.equal(command.MaxConcurrency, '50');
    assert.equal(command.MaxErrors, '0');
    assert.equal(command.TimeoutSeconds, 3600);
    assert.deepEqual(command.Parameters, { commands: ['echo hi'] });
    assert.deepEqual(command.InstanceIds, [idOf(1), idOf(2)]);
    assert.deepEqual(command.Targets, []);
    assert.equal(command.RequestedDateTime, T0 / 1000);
    // SSM's total timeout: delivery timeout plus the document's executionTimeout.
    assert.equal(command.ExpiresAfter, T0 / 1000 + 3600 + 3600);

    const sent = bed.commandsSent(command.CommandId);
    assert.deepEqual(sent.map((m) => m.instanceId), [idOf(1), idOf(2)]);
    const body = sent[0]!.body as CommandBody;
    assert.equal(body.commandId, command.CommandId);
    assert.equal(body.documentName, 'Test-RunShellScript');
    assert.deepEqual(body.document, RUN_SHELL);
    assert.deepEqual(body.parameters, { commands: ['echo hi'], workingDirectory: '', executionTimeout: '3600' });
    assert.equal(body.executionTimeoutSeconds, 3600);
    assert.equal(body.deliverBy, new Date(T0 + 3600 * 1000).toISOString(), 'the agent is told the delivery deadline');
    assert.equal(body.comment, 'hello');
    assert.equal((await bed.command(command.CommandId)).Status, 'InProgress');
  });

  it('resolves Targets: tag:<key>, tag-key and InstanceIds, all of them must match', async () => {
    const byTag = await bed.send(run({ Targets: [{ Key: 'tag:Role', Values: ['web'] }] }));
    assert.equal(byTag.TargetCount, 2);
    assert.deepEqual(bed.commandsSent(byTag.CommandId).map((m) => m.instanceId), [idOf(1), idOf(2)]);
    assert.deepEqual(byTag.Targets, [{ Key: 'tag:Role', Values: ['web'] }]);
    assert.deepEqual(byTag.InstanceIds, []);

    const both = await bed.send(run({ Targets: [{ Key: 'tag:Role', Values: ['web', 'db'] }, { Key: 'InstanceIds', Values: [idOf(2), idOf(3), idOf(4)] }] }));
    assert.deepEqual(bed.commandsSent(both.CommandId).map((m) => m.instanceId), [idOf(2), idOf(3)]);

    const tagKey = await bed.send(run({ Targets: [{ Key: 'tag-key', Values: ['Owner'] }] }));
    assert.deepEqual(bed.commandsSent(tagKey.CommandId).map((m) => m.instanceId), [idOf(4)]);

    const lowerCase = await bed.send(run({ Targets: [{ Key: 'instanceids', Values: [idOf(4)] }] }));
    assert.equal(lowerCase.TargetCount, 1);
  });

  it('targets that match nothing: the command exists, Failed with NoInstancesInTag, and nothing is sent', async () => {
    const command = await bed.send(run({ Targets: [{ Key: 'tag:Role', Values: ['nope'] }] }));
    assert.equal(command.Status, 'Failed');
    assert.equal(command.StatusDetails, 'NoInstancesInTag');
    assert.equal(command.TargetCount, 0);
    assert.equal(bed.sent.length, 0);
    assert.equal((await bed.command(command.CommandId)).StatusDetails, 'NoInstancesInTag');
  });

  it('refuses bad input with SSM errors and leaves no record behind', async () => {
    const fifty1 = Array.from({ length: 51 }, (_, i) => idOf(i + 1));
    const cases: Array<[Input, string, RegExp?]> = [
      [{ InstanceIds: [idOf(1)] }, 'ValidationException', /documentName/],
      [run(), 'ValidationException', /InstanceIds.*Targets/],
      [run({ InstanceIds: [idOf(1)], Targets: [{ Key: 'tag:Role', Values: ['web'] }] }), 'ValidationException', /not both/],
      [run({ InstanceIds: fifty1 }), 'ValidationException', /less than or equal to 50/],
      [run({ InstanceIds: ['i-nope'] }), 'InvalidInstanceId'],
      [run({ InstanceIds: [idOf(1), idOf(9)] }), 'InvalidInstanceId', /mi-00000000000000009/],
      [run({ InstanceIds: [idOf(1), idOf(1)] }), 'DuplicateInstanceId'],
      [run({ Targets: Array.from({ length: 6 }, () => ({ Key: 'tag:Role', Values: ['web'] })) }), 'ValidationException', /less than or equal to 5/],
      [run({ Targets: [{ Key: 'tag:Role', Values: [] }] }), 'ValidationException', /no Values/],
      [run({ Targets: [{ Key: 'Environment', Values: ['x'] }] }), 'ValidationException', /unsupported target key/],
      [run({ Targets: [{ Key: 'resource-groups:Name', Values: ['x'] }] }), 'InvalidParameters', /Resource Groups/],
      [run({ Targets: [{ Key: 'InstanceIds', Values: [idOf(8)] }] }), 'InvalidInstanceId'],
      [run({ DocumentName: 'No-Such-Doc', InstanceIds: [idOf(1)] }), 'InvalidDocument'],
      [run({ DocumentVersion: '9', InstanceIds: [idOf(1)] }), 'InvalidDocumentVersion'],
      [run({ DocumentVersion: 'latest', InstanceIds: [idOf(1)] }), 'ValidationException', /documentVersion/],
      [run({ DocumentHash: 'abc', DocumentHashType: 'Sha1', InstanceIds: [idOf(1)] }), 'InvalidDocument', /Sha1/],
      [run({ DocumentHash: 'abc', InstanceIds: [idOf(1)] }), 'InvalidDocument', /hash/],
      [run({ DocumentName: 'Test-Policy', InstanceIds: [idOf(1)] }), 'InvalidDocument', /Policy document/],
      [run({ Parameters: { commands: ['x; touch /tmp/pwned'] }, InstanceIds: [idOf(1)] }), 'InvalidParameters', /Parameter "commands" value "x; touch \/tmp\/pwned" does not match pattern/],
      [run({ Parameters: { commands: ['ls'], nope: ['1'] }, InstanceIds: [idOf(1)] }), 'InvalidParameters', /"nope" is not defined/],
      [run({ Parameters: {}, InstanceIds: [idOf(1)] }), 'InvalidParameters', /"commands" is required/],
      [run({ Parameters: { commands: 'ls' }, InstanceIds: [idOf(1)] }), 'SerializationException'],
      [run({ Parameters: { commands: ['echo {{ssm:/app/secret}}'] }, InstanceIds: [idOf(1)] }), 'InvalidParameters', /Parameter Store references \(\{\{ssm:\/app\/secret\}\}\) cannot be resolved: this control plane has no Parameter Store/],
      [{ DocumentName: 'Test-SsmDefault', InstanceIds: [idOf(1)] }, 'InvalidParameters', /\{\{ssm:\/app\/db-host\}\}/],
      [run({ TimeoutSeconds: 29, InstanceIds: [idOf(1)] }), 'ValidationException', /greater than or equal to 30/],
      [run({ TimeoutSeconds: 2_592_001, InstanceIds: [idOf(1)] }), 'ValidationException', /less than or equal to 2592000/],
      [run({ Comment: 'c'.repeat(101), InstanceIds: [idOf(1)] }), 'ValidationException', /comment/],
      [run({ MaxConcurrency: '0', InstanceIds: [idOf(1)] }), 'ValidationException', /maxConcurrency/],
      [run({ MaxConcurrency: '101%', InstanceIds: [idOf(1)] }), 'ValidationException', /maxConcurrency/],
      [run({ MaxErrors: '-1', InstanceIds: [idOf(1)] }), 'ValidationException', /maxErrors/],
      [run({ OutputS3BucketName: 'bucket', InstanceIds: [idOf(1)] }), 'InvalidOutputFolder'],
      [run({ NotificationConfig: { NotificationArn: 'arn:aws:sns:us-east-1:1:t' }, InstanceIds: [idOf(1)] }), 'InvalidNotificationConfig'],
    ];
    for (const [input, code, message] of cases) {
      await apiError(bed.send(input), code, message);
    }
    const listed = (await bed.call('ListCommands', {})) as { Commands: unknown[] };
    assert.deepEqual(listed.Commands, []);
    assert.deepEqual(await bed.store.table('commands').list(), []);
    assert.deepEqual(await bed.store.table('command-invocations').list(), []);
    assert.equal(bed.sent.length, 0);
  });

  it('accepts a document ARN, a version, the right hash and options left empty', async () => {
    const { hash } = await resolveDocument('Test-RunShellScript');
    const command = await bed.send(
      run({
        DocumentName: 'arn:aws:ssm:us-east-1:123456789012:document/Test-RunShellScript',
        DocumentVersion: '$DEFAULT',
        DocumentHash: hash,
        DocumentHashType: 'Sha256',
        InstanceIds: [idOf(1)],
        OutputS3BucketName: '',
        CloudWatchOutputConfig: { CloudWatchOutputEnabled: false },
        TimeoutSeconds: 30,
        Parameters: { commands: ['ls'], executionTimeout: ['60'] },
      }),
    );
    assert.equal(command.DocumentName, 'Test-RunShellScript');
    assert.equal(command.ExpiresAfter, T0 / 1000 + 30 + 60);
  });

  it('names the document and the instances as the resources the call touches', () => {
    const send = commandOperations(bed.service).find((op) => op.name === 'SendCommand')!;
    assert.deepEqual(send.resources!(run({ InstanceIds: [idOf(1)] }), testContext), [
      'arn:aws:ssm:us-east-1:123456789012:document/Test-RunShellScript',
      `arn:aws:ssm:us-east-1:123456789012:managed-instance/${idOf(1)}`,
    ]);
    assert.deepEqual(send.resources!(run({ Targets: [{ Key: 'tag:Role', Values: ['web'] }] }), testContext), [
      'arn:aws:ssm:us-east-1:123456789012:document/Test-RunShellScript',
      'arn:aws:ssm:us-east-1:123456789012:managed-instance/*',
    ]);
  });
});

describe('commands: dispatch', () => {
  let bed: Bed;
  afterEach(() => bed.close());

  it('persists each invocation, marked dispatched, before its command message is sent', async () => {
    bed = await Bed.create(fleet(3));
    const seen: Array<string | undefined> = [];
    bed.onSend = async (message) => {
      if (message.type !== 'command') return;
      const commandId = (message.body as CommandBody).commandId;
      // What another process would read from the directory at this instant.
      const onDisk = await (await FileStore.open(bed.dir)).table<InvocationRecord>('command-invocations').get(`${commandId}/${message.instanceId}`);
      seen.push(onDisk?.dispatchedAt);
    };
    await bed.send(run({ InstanceIds: ids(3) }));
    assert.equal(seen.length, 3);
    for (const dispatchedAt of seen) assert.equal(dispatchedAt, new Date(T0).toISOString());
  });

  it('sends the first agents\' commands before SendCommand answers, and the rest of a large fan-out after it', async () => {
    bed = await Bed.create(fleet(40));
    const operation = commandOperations(bed.service).find((op) => op.name === 'SendCommand')!;
    // The operation itself, without the harness's wait for every send: what the API answers with, and when.
    await operation.handle(run({ InstanceIds: ids(40), MaxConcurrency: '40' }), testContext);
    const beforeAnswer = bed.commandsSent().length;
    await bed.service.whenSent();
    assert.equal(beforeAnswer, 16, 'an agent waits for its command: the first ones go before the answer');
    assert.equal(bed.commandsSent().length, 40, 'the rest of the fan-out follows');
    assert.deepEqual(bed.commandsSent().map((m) => m.instanceId), ids(40), 'in dispatch order');
  });

  it('MaxConcurrency 5 over 20 instances never has more than 5 in flight, and all end Success', async () => {
    bed = await Bed.create(fleet(20));
    const command = await bed.send(run({ InstanceIds: ids(20), MaxConcurrency: '5' }));
    const done = new Set<string>();
    let maxInFlight = 0;
    let handled = 0;
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    while (done.size < 20) {
      const inFlight = bed.commandsSent(command.CommandId).filter((m) => !done.has(m.instanceId));
      maxInFlight = Math.max(maxInFlight, inFlight.length);
      assert.ok(inFlight.length > 0, 'something must be in flight');
      // Answer one of the running ones, chosen at random, sometimes acknowledging first.
      const pick = inFlight[Math.floor(random() * inFlight.length)]!;
      if (random() < 0.5) await bed.ack(pick.instanceId, command.CommandId);
      bed.clock.advance(1);
      await bed.result(pick.instanceId, command.CommandId);
      done.add(pick.instanceId);
      handled += 1;
      assert.ok(handled <= 20);
    }
    assert.equal(maxInFlight, 5);
    assert.equal(bed.commandsSent(command.CommandId).length, 20, 'each instance got the command once');
    const final = await bed.command(command.CommandId);
    assert.equal(final.Status, 'Success');
    assert.equal(final.StatusDetails, 'Success');
    assert.equal(final.CompletedCount, 20);
    assert.equal(final.ErrorCount, 0);
    assert.equal(bed.ofType('result-ack').length, 20);
  });

  it('MaxErrors 1: the second failure stops dispatch; the rest end Terminated, running ones finish', async () => {
    bed = await Bed.create(fleet(20));
    const command = await bed.send(run({ InstanceIds: ids(20), MaxConcurrency: '5', MaxErrors: '1' }));
    assert.equal(bed.commandsSent().length, 5);

    await bed.result(idOf(1), command.CommandId, 'Failed');
    assert.equal(bed.commandsSent().length, 6, 'one error is tolerated: the next instance gets the command');
    assert.equal((await bed.command(command.CommandId)).ErrorCount, 1);

    await bed.result(idOf(2), command.CommandId, 'TimedOut', { statusDetails: 'ExecutionTimedOut' });
    assert.equal(bed.commandsSent().length, 6, 'the second error stops dispatch');
    let listed = await bed.command(command.CommandId);
    assert.equal(listed.Status, 'InProgress', 'still running: four invocations are in flight');
    assert.equal(listed.ErrorCount, 2);
    assert.equal(listed.CompletedCount, 16);

    for (const n of [3, 4, 5, 6]) await bed.result(idOf(n), command.CommandId, 'Success');
    assert.equal(bed.commandsSent().length, 6, 'finishing invocations start nothing new');
    listed = await bed.command(command.CommandId);
    assert.equal(listed.Status, 'Failed');
    assert.equal(listed.StatusDetails, 'Failed');
    assert.equal(listed.CompletedCount, 20);
    assert.equal(listed.ErrorCount, 2);
    const statuses = await bed.statuses(command.CommandId);
    assert.deepEqual(statuses.slice(0, 6), ['01:Failed/Failed', '02:TimedOut/ExecutionTimedOut', '03:Success/Success', '04:Success/Success', '05:Success/Success', '06:Success/Success']);
    for (const status of statuses.slice(6)) assert.match(status, /:Cancelled\/Terminated$/);
  });

  it('applies percentages to the target count', async () => {
    assert.equal(concurrencyLimit('10%', 20), 2);
    assert.equal(concurrencyLimit('10%', 5), 1, 'rounded up, at least one');
    assert.equal(concurrencyLimit('33%', 10), 4);
    assert.equal(concurrencyLimit('100%', 7), 7);
    assert.equal(concurrencyLimit('7', 3), 7);
    assert.equal(errorLimit('10%', 50), 5, "SSM's example: 10% of 50 stops at the sixth error");
    assert.equal(errorLimit('10%', 15), 1, 'rounded down');
    assert.equal(errorLimit('0%', 15), 0);
    assert.equal(errorLimit('3', 15), 3);

    bed = await Bed.create(fleet(20));
    const command = await bed.send(run({ InstanceIds: ids(20), MaxConcurrency: '10%', MaxErrors: '10%' }));
    assert.equal(command.MaxConcurrency, '10%');
    assert.equal(bed.commandsSent().length, 2, '10% of 20 is 2 at a time');
    await bed.result(idOf(1), command.CommandId, 'Failed');
    await bed.result(idOf(2), command.CommandId, 'Failed');
    assert.equal(bed.commandsSent().length, 4, '10% of 20 tolerates two errors');
    await bed.result(idOf(3), command.CommandId, 'Failed');
    assert.equal(bed.commandsSent().length, 4, 'the third error stops dispatch');
    await bed.result(idOf(4), command.CommandId, 'Success');
    const final = await bed.command(command.CommandId);
    assert.equal(final.Status, 'Failed');
    assert.equal(final.ErrorCount, 3);
  });

  it('errors within MaxErrors end the command Success with StatusDetails Incomplete', async () => {
    bed = await Bed.create(fleet(3));
    const command = await bed.send(run({ InstanceIds: ids(3), MaxErrors: '1' }));
    await bed.result(idOf(1), command.CommandId, 'Failed');
    await bed.result(idOf(2), command.CommandId, 'Success');
    await bed.result(idOf(3), command.CommandId, 'Success');
    const final = await bed.command(command.CommandId);
    assert.equal(final.Status, 'Success');
    assert.equal(final.StatusDetails, 'Incomplete');
  });

  it('an offline instance is Delayed, is sent the command when it comes back, and times out at the delivery timeout', async () => {
    bed = await Bed.create([instance(1), instance(2, { PingStatus: 'ConnectionLost' }), instance(3, { PingStatus: 'ConnectionLost' })]);
    const command = await bed.send(run({ InstanceIds: ids(3), TimeoutSeconds: 60 }));
    assert.deepEqual(bed.commandsSent().map((m) => m.instanceId), [idOf(1)]);
    assert.deepEqual((await bed.statuses(command.CommandId)).slice(1), ['02:Delayed/Delayed', '03:Delayed/Delayed']);

    await bed.result(idOf(1), command.CommandId, 'Success');
    bed.clock.advance(30);
    await bed.registry.markSeen(idOf(2), 'session-1');
    await eventually(() => bed.commandsSent().some((m) => m.instanceId === idOf(2)), 'the command to reach the instance that came back');
    await eventually(async () => (await bed.invocation(command.CommandId, idOf(2))).dispatchedAt !== undefined, 'the dispatch to be recorded');
    await bed.ack(idOf(2), command.CommandId);

    bed.clock.advance(31);
    await bed.tick();
    assert.deepEqual(await bed.statuses(command.CommandId), ['01:Success/Success', '02:InProgress/InProgress', '03:TimedOut/DeliveryTimedOut']);
    let listed = await bed.command(command.CommandId);
    assert.equal(listed.DeliveryTimedOutCount, 1);
    assert.equal(listed.ErrorCount, 0, 'delivery timeouts do not count as errors');
    assert.equal(listed.Status, 'InProgress');

    await bed.result(idOf(2), command.CommandId, 'Success');
    listed = await bed.command(command.CommandId);
    assert.equal(listed.Status, 'TimedOut', 'more delivery timeouts than MaxErrors (0)');
    assert.equal(listed.StatusDetails, 'DeliveryTimedOut');
    assert.equal(listed.CompletedCount, 3);
  });

  it('a sent but unacknowledged command is resent, then cancelled at the delivery timeout; an accepted one times out at ExpiresAfter', async () => {
    bed = await Bed.create(fleet(2), { resendAfterMs: 10_000 });
    const command = await bed.send(run({ InstanceIds: ids(2), TimeoutSeconds: 60, Parameters: { commands: ['ls'], executionTimeout: ['100'] } }));
    await bed.ack(idOf(2), command.CommandId);
    bed.clock.advance(5);
    await bed.tick();
    assert.equal(bed.commandsSent().length, 2, 'not resent before resendAfterMs');
    bed.clock.advance(6);
    await bed.tick();
    const toOne = bed.commandsSent().filter((m) => m.instanceId === idOf(1));
    assert.equal(toOne.length, 2, 'the unacknowledged command was resent');
    assert.deepEqual(toOne[1]!.body, toOne[0]!.body, 'a resend is the same command');
    assert.equal(bed.commandsSent().filter((m) => m.instanceId === idOf(2)).length, 1, 'an acknowledged command is not resent');
    assert.equal((await bed.invocation(command.CommandId, idOf(1))).sendCount, 2);

    bed.clock.advance(50); // 61 s: past the delivery timeout
    await bed.tick();
    assert.deepEqual(await bed.statuses(command.CommandId), ['01:TimedOut/DeliveryTimedOut', '02:InProgress/InProgress']);
    assert.deepEqual(bed.ofType('cancel').map((m) => m.instanceId), [idOf(1)], 'told not to run it if it arrives late');

    bed.clock.advance(100); // past ExpiresAfter = 60 + 100
    await bed.tick();
    assert.deepEqual(await bed.statuses(command.CommandId), ['01:TimedOut/DeliveryTimedOut', '02:TimedOut/DeliveryTimedOut']);
    const final = await bed.command(command.CommandId);
    assert.equal(final.Status, 'TimedOut');
    assert.equal(final.DeliveryTimedOutCount, 2);

    // The agent answers late: acknowledged, and the recorded status stands.
    await bed.result(idOf(2), command.CommandId, 'Success');
    assert.equal(bed.ofType('result-ack', idOf(2)).length, 1);
    assert.deepEqual(await bed.statuses(command.CommandId), ['01:TimedOut/DeliveryTimedOut', '02:TimedOut/DeliveryTimedOut']);
  });

  it('a slot freed after the delivery deadline does not start the next invocation, even before the timer runs', async () => {
    bed = await Bed.create(fleet(3));
    const command = await bed.send(run({ InstanceIds: ids(3), MaxConcurrency: '1', TimeoutSeconds: 60 }));
    await bed.ack(idOf(1), command.CommandId);
    bed.clock.advance(61);
    await bed.result(idOf(1), command.CommandId, 'Success'); // no tick(): the result alone frees the slot
    assert.deepEqual(bed.commandsSent().map((m) => m.instanceId), [idOf(1)], 'nothing sent after the deadline');
    assert.deepEqual(await bed.statuses(command.CommandId), ['01:Success/Success', '02:TimedOut/DeliveryTimedOut', '03:TimedOut/DeliveryTimedOut']);
    const final = await bed.command(command.CommandId);
    assert.equal(final.Status, 'TimedOut');
    assert.equal(final.StatusDetails, 'DeliveryTimedOut');
    assert.equal(final.DeliveryTimedOutCount, 2);
  });

  it('an instance deregistered before its turn ends Undeliverable, which is not an error', async () => {
    bed = await Bed.create(fleet(2));
    const command = await bed.send(run({ InstanceIds: ids(2), MaxConcurrency: '1' }));
    await bed.registry.remove(idOf(2));
    await bed.result(idOf(1), command.CommandId, 'Success');
    assert.deepEqual(await bed.statuses(command.CommandId), ['01:Success/Success', '02:Failed/Undeliverable']);
    const final = await bed.command(command.CommandId);
    assert.equal(final.ErrorCount, 0);
    assert.equal(final.Status, 'Success');
  });
});

describe('commands: results and views', () => {
  let bed: Bed;
  beforeEach(async () => {
    bed = await Bed.create(fleet(3));
  });
  afterEach(() => bed.close());

  it('an ack makes the invocation InProgress; a result is stored, acknowledged, and idempotent', async () => {
    const command = await bed.send(run({ InstanceIds: [idOf(1), idOf(2)] }));
    await bed.ack(idOf(1), command.CommandId);
    assert.equal((await bed.invocation(command.CommandId, idOf(1))).Status, 'InProgress');

    await bed.result(idOf(1), command.CommandId, 'Failed');
    await bed.result(idOf(1), command.CommandId, 'Failed');
    await bed.result(idOf(1), command.CommandId, 'Success'); // a different late copy changes nothing either
    assert.equal(bed.ofType('result-ack', idOf(1)).length, 3, 'every copy is acknowledged');
    assert.deepEqual(bed.ofType('result-ack', idOf(1))[0]!.body, { commandId: command.CommandId });
    const listed = await bed.command(command.CommandId);
    assert.equal(listed.CompletedCount, 1);
    assert.equal(listed.ErrorCount, 1);
    assert.equal((await bed.invocation(command.CommandId, idOf(1))).Status, 'Failed');

    // Results for commands that are unknown or finished are acknowledged so the agent can forget them.
    await bed.result(idOf(3), '00000000-0000-4000-8000-000000000000', 'Success');
    assert.equal(bed.ofType('result-ack', idOf(3)).length, 1);
    // A result the control plane cannot read is not acknowledged: the agent keeps its copy.
    await agentMessageHandlers(bed.service)['command-result'](bed.message('command-result', idOf(2), { commandId: command.CommandId }));
    assert.equal(bed.ofType('result-ack', idOf(2)).length, 0);
  });

  it('a result shows in GetCommandInvocation, ListCommandInvocations and ListCommands only once it is in the store', async () => {
    const command = await bed.send(run({ InstanceIds: [idOf(1)] }));
    await bed.ack(idOf(1), command.CommandId);
    // Hold the store's next write: the result is then in memory, not yet on disk.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const store = bed.store as unknown as { commit(batch: unknown): Promise<void> };
    const commit = store.commit.bind(store);
    store.commit = async (batch) => {
      await gate;
      return commit(batch);
    };
    const delivered = bed.result(idOf(1), command.CommandId, 'Success');
    const seen: string[] = [];
    const reads = [
      bed.call('GetCommandInvocation', { CommandId: command.CommandId, InstanceId: idOf(1) }).then((r) => seen.push(`get:${String(r.Status)}`)),
      bed.call('ListCommandInvocations', { CommandId: command.CommandId }).then((r) => seen.push(`list:${String((r.CommandInvocations as Array<{ Status: string }>)[0]?.Status)}`)),
      bed.call('ListCommands', { CommandId: command.CommandId }).then((r) => seen.push(`commands:${String((r.Commands as Array<{ Status: string }>)[0]?.Status)}`)),
    ];
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(seen, [], 'nothing answers while the result is only in memory: a crash now would take it back');
    open();
    await Promise.all(reads);
    await delivered;
    assert.deepEqual(seen.sort(), ['commands:Success', 'get:Success', 'list:Success']);
  });

  it('a command-ack that carries the steps shows them as a command-status would; one without leaves them as they were', async () => {
    const command = await bed.send(run({ InstanceIds: [idOf(1), idOf(2)] }));
    const started = step('runShellScript', 'InProgress');
    delete started.endedAt;
    await agentMessageHandlers(bed.service)['command-ack'](bed.message('command-ack', idOf(1), { commandId: command.CommandId, accepted: 'new', steps: [started] }));
    await bed.ack(idOf(2), command.CommandId);
    const got = await bed.call('GetCommandInvocation', { CommandId: command.CommandId, InstanceId: idOf(1), PluginName: 'runShellScript' });
    assert.equal(got.Status, 'InProgress');
    assert.equal(got.StatusDetails, 'InProgress');
    assert.equal(got.ExecutionStartDateTime, started.startedAt);
    assert.deepEqual((await bed.invocation(command.CommandId, idOf(1))).steps, [started]);
    assert.equal((await bed.invocation(command.CommandId, idOf(2))).Status, 'InProgress');
    assert.deepEqual((await bed.invocation(command.CommandId, idOf(2))).steps, []);
    // A duplicate acknowledgement (no steps) after later progress does not take the progress back.
    const ended = step('runShellScript', 'Success', { stdout: 'done' });
    await agentMessageHandlers(bed.service)['command-status'](bed.message('command-status', idOf(1), { commandId: command.CommandId, status: 'InProgress', steps: [ended] }));
    await agentMessageHandlers(bed.service)['command-ack'](bed.message('command-ack', idOf(1), { commandId: command.CommandId, accepted: 'duplicate' }));
    assert.deepEqual((await bed.invocation(command.CommandId, idOf(1))).steps, [ended]);
  });

  it('GetCommandInvocation: SSM fields, truncated contents, times, URLs and errors', async () => {
    const command = await bed.send(run({ InstanceIds: [idOf(1)] }));
    let got = await bed.call('GetCommandInvocation', { CommandId: command.CommandId, InstanceId: idOf(1) });
    assert.equal(got.Status, 'Pending');
    assert.equal(got.ResponseCode, -1);
    assert.equal(got.ExecutionStartDateTime, '');
    assert.equal(got.StandardOutputUrl, '');

    await agentMessageHandlers(bed.service)['command-status'](
      bed.message('command-status', idOf(1), { commandId: command.CommandId, status: 'InProgress', steps: [{ ...step('runShellScript', 'InProgress', { stdout: 'partial' }), endedAt: undefined }] }),
    );
    got = await bed.call('GetCommandInvocation', { CommandId: command.CommandId, InstanceId: idOf(1), PluginName: 'runShellScript' });
    assert.equal(got.Status, 'InProgress');
    assert.equal(got.StandardOutputContent, 'partial');
    assert.equal(got.StandardOutputUrl, '', 'no URL before the step finished');

    const big = 'x'.repeat(30_000);
    await bed.result(idOf(1), command.CommandId, 'Failed', {
      responseCode: 3,
      steps: [step('runShellScript', 'Failed', { stdout: big, stderr: 'e'.repeat(9000), responseCode: 3 })],
    });
    got = await bed.call('GetCommandInvocation', { CommandId: command.CommandId, InstanceId: idOf(1) });
    assert.equal(got.CommandId, command.CommandId);
    assert.equal(got.InstanceId, idOf(1));
    assert.equal(got.DocumentName, 'Test-RunShellScript');
    assert.equal(got.DocumentVersion, '1');
    assert.equal(got.PluginName, 'runShellScript');
    assert.equal(got.Status, 'Failed');
    assert.equal(got.StatusDetails, 'Failed');
    assert.equal(got.ResponseCode, 3);
    assert.equal((got.StandardOutputContent as string).length, 24_000);
    assert.equal((got.StandardErrorContent as string).length, 8_000);
    assert.equal(got.ExecutionStartDateTime, '2030-01-01T00:00:00.000Z');
    assert.equal(got.ExecutionEndDateTime, '2030-01-01T00:00:01.500Z');
    assert.equal(got.ExecutionElapsedTime, 'PT1.5S');
    assert.equal(got.StandardOutputUrl, `http://tender.test:8700/tender/v1/outputs/${command.CommandId}/${idOf(1)}/runShellScript/stdout`);
    assert.equal(got.StandardErrorUrl, `http://tender.test:8700/tender/v1/outputs/${command.CommandId}/${idOf(1)}/runShellScript/stderr`);

    await apiError(bed.call('GetCommandInvocation', { CommandId: command.CommandId, InstanceId: idOf(2) }), 'InvocationDoesNotExist');
    await apiError(bed.call('GetCommandInvocation', { CommandId: '00000000-0000-4000-8000-000000000000', InstanceId: idOf(1) }), 'InvocationDoesNotExist');
    await apiError(bed.call('GetCommandInvocation', { CommandId: command.CommandId, InstanceId: idOf(1), PluginName: 'nope-step' }), 'InvalidPluginName');
    await apiError(bed.call('GetCommandInvocation', { CommandId: 'short', InstanceId: idOf(1) }), 'ValidationException');

    const multi = await bed.send({ DocumentName: 'Test-MultiStep', InstanceIds: [idOf(2)] });
    await apiError(bed.call('GetCommandInvocation', { CommandId: multi.CommandId, InstanceId: idOf(2) }), 'InvalidPluginName', /PluginName/);
    const second = await bed.call('GetCommandInvocation', { CommandId: multi.CommandId, InstanceId: idOf(2), PluginName: 'second' });
    assert.equal(second.Status, 'Pending');
  });

  it('ListCommandInvocations with Details lists CommandPlugins with SSM-truncated Output; filters apply', async () => {
    const command = await bed.send({ DocumentName: 'Test-MultiStep', InstanceIds: [idOf(1), idOf(2)] });
    await bed.result(idOf(1), command.CommandId, 'Success', {
      steps: [step('first', 'Success', { stdout: 'o'.repeat(3000), stderr: 'warn' }), step('second', 'Skipped', { statusDetails: 'Skipped' })],
    });
    const { CommandInvocations: all } = (await bed.call('ListCommandInvocations', { CommandId: command.CommandId, Details: true })) as { CommandInvocations: Array<Record<string, unknown>> };
    assert.equal(all.length, 2);
    const [one, two] = all as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(one.InstanceId, idOf(1));
    assert.equal(one.InstanceName, 'host-1');
    assert.equal(one.Status, 'Success');
    assert.equal(one.StandardOutputUrl, '', 'SSM gives an invocation-level URL only for one-step documents');
    const plugins = one.CommandPlugins as Array<Record<string, unknown>>;
    assert.deepEqual(plugins.map((p) => [p.Name, p.Status, p.StatusDetails]), [['first', 'Success', 'Success'], ['second', 'Success', 'Skipped']]);
    const output = plugins[0]!.Output as string;
    assert.ok(output.length <= 2500);
    assert.equal(output, pluginOutput('o'.repeat(3000), 'warn'));
    assert.match(output, /---Output truncated---\n----------ERROR-------\nwarn$/);
    assert.equal(plugins[0]!.ResponseStartDateTime, T0 / 1000);
    assert.match(plugins[0]!.StandardOutputUrl as string, /\/first\/stdout$/);
    assert.deepEqual((two.CommandPlugins as Array<Record<string, unknown>>).map((p) => [p.Status, p.ResponseCode]), [['Pending', -1], ['Pending', -1]]);

    const brief = (await bed.call('ListCommandInvocations', { CommandId: command.CommandId })) as { CommandInvocations: Array<Record<string, unknown>> };
    assert.deepEqual(brief.CommandInvocations[0]!.CommandPlugins, []);

    const success = (await bed.call('ListCommandInvocations', { Filters: [{ key: 'Status', value: 'Success' }] })) as { CommandInvocations: Array<Record<string, unknown>> };
    assert.deepEqual(success.CommandInvocations.map((i) => i.InstanceId), [idOf(1)]);
    const byInstance = (await bed.call('ListCommandInvocations', { InstanceId: idOf(2) })) as { CommandInvocations: Array<Record<string, unknown>> };
    assert.deepEqual(byInstance.CommandInvocations.map((i) => i.InstanceId), [idOf(2)]);
    const one2 = (await bed.call('ListCommandInvocations', { CommandId: command.CommandId, InstanceId: idOf(2) })) as { CommandInvocations: Array<Record<string, unknown>> };
    assert.deepEqual(one2.CommandInvocations.map((i) => `${String(i.InstanceId)} ${String(i.Status)}`), [`${idOf(2)} Pending`]);
    const unknown = (await bed.call('ListCommandInvocations', { CommandId: '00000000-0000-4000-8000-000000000000' })) as { CommandInvocations: unknown[] };
    assert.deepEqual(unknown.CommandInvocations, []);
    await apiError(bed.call('ListCommandInvocations', { Filters: [{ key: 'ExecutionStage', value: 'Complete' }] }), 'InvalidFilterKey');
    await apiError(bed.call('ListCommandInvocations', { Filters: [{ key: 'Status', value: 'Incomplete' }] }), 'InvalidFilterValue');
  });

  it('ListCommands: newest first, filters, pagination and errors', async () => {
    const first = await bed.send(run({ InstanceIds: [idOf(1)] }));
    bed.clock.advance(60);
    const second = await bed.send({ DocumentName: 'Test-MultiStep', InstanceIds: [idOf(2)] });
    await bed.result(idOf(1), first.CommandId, 'Success');

    const list = async (input: Input): Promise<string[]> => ((await bed.call('ListCommands', input)) as { Commands: Array<{ CommandId: string }> }).Commands.map((c) => c.CommandId);
    assert.deepEqual(await list({}), [second.CommandId, first.CommandId]);
    assert.deepEqual(await list({ Filters: [{ key: 'Status', value: 'Success' }] }), [first.CommandId]);
    assert.deepEqual(await list({ Filters: [{ key: 'ExecutionStage', value: 'Executing' }] }), [second.CommandId]);
    assert.deepEqual(await list({ Filters: [{ key: 'ExecutionStage', value: 'Complete' }] }), [first.CommandId]);
    assert.deepEqual(await list({ Filters: [{ key: 'DocumentName', value: 'Test-MultiStep' }] }), [second.CommandId]);
    assert.deepEqual(await list({ Filters: [{ key: 'InvokedAfter', value: new Date(T0 + 30_000).toISOString() }] }), [second.CommandId]);
    assert.deepEqual(await list({ Filters: [{ key: 'InvokedBefore', value: new Date(T0 + 30_000).toISOString() }] }), [first.CommandId]);
    assert.deepEqual(await list({ InstanceId: idOf(2) }), [second.CommandId]);
    assert.deepEqual(await list({ CommandId: first.CommandId, InstanceId: idOf(1) }), [first.CommandId]);
    assert.deepEqual(await list({ CommandId: first.CommandId, InstanceId: idOf(2) }), [], 'a command that did not run there');
    assert.deepEqual(await list({ InstanceId: idOf(3) }), [], 'an instance nothing ran on');

    const page1 = (await bed.call('ListCommands', { MaxResults: 1 })) as { Commands: Array<{ CommandId: string }>; NextToken?: string };
    assert.deepEqual(page1.Commands.map((c) => c.CommandId), [second.CommandId]);
    assert.ok(page1.NextToken);
    const page2 = (await bed.call('ListCommands', { MaxResults: 1, NextToken: page1.NextToken })) as { Commands: Array<{ CommandId: string }>; NextToken?: string };
    assert.deepEqual(page2.Commands.map((c) => c.CommandId), [first.CommandId]);
    assert.equal(page2.NextToken, undefined);

    await apiError(bed.call('ListCommands', { CommandId: '00000000-0000-4000-8000-000000000000' }), 'InvalidCommandId');
    await apiError(bed.call('ListCommands', { MaxResults: 51 }), 'ValidationException');
    await apiError(bed.call('ListCommands', { Filters: [{ key: 'Color', value: 'blue' }] }), 'InvalidFilterKey');
    await apiError(bed.call('ListCommands', { Filters: [{ key: 'Status', value: 'Delayed' }] }), 'InvalidFilterValue');
    await apiError(bed.call('ListCommands', { Filters: [{ key: 'InvokedAfter', value: 'yesterday' }] }), 'InvalidFilterValue');
    await apiError(bed.call('ListCommands', { NextToken: 'garbage!' }), 'InvalidNextToken');
  });
});

describe('commands: CancelCommand', () => {
  let bed: Bed;
  beforeEach(async () => {
    bed = await Bed.create(fleet(4));
  });
  afterEach(() => bed.close());

  it('cancels pending invocations at once and asks agents to stop running ones', async () => {
    const command = await bed.send(run({ InstanceIds: ids(4), MaxConcurrency: '2' }));
    await bed.ack(idOf(1), command.CommandId);
    await bed.call('CancelCommand', { CommandId: command.CommandId });
    assert.deepEqual(await bed.statuses(command.CommandId), ['01:Cancelling/Cancelling', '02:Cancelling/Cancelling', '03:Cancelled/Cancelled', '04:Cancelled/Cancelled']);
    assert.deepEqual(bed.ofType('cancel').map((m) => [m.instanceId, m.body]), [
      [idOf(1), { commandId: command.CommandId }],
      [idOf(2), { commandId: command.CommandId }],
    ]);
    let listed = await bed.command(command.CommandId);
    assert.equal(listed.Status, 'Cancelling');
    assert.equal(bed.commandsSent().length, 2, 'nothing more is dispatched');

    await bed.result(idOf(1), command.CommandId, 'Cancelled');
    await bed.result(idOf(2), command.CommandId, 'Success'); // finished before the cancel reached it
    listed = await bed.command(command.CommandId);
    assert.equal(listed.Status, 'Cancelled');
    assert.equal(listed.StatusDetails, 'Cancelled');
    assert.equal(listed.CompletedCount, 4);

    await apiError(bed.call('CancelCommand', { CommandId: command.CommandId }), 'InvalidCommandId', /already finished/);
    await apiError(bed.call('CancelCommand', { CommandId: '00000000-0000-4000-8000-000000000000' }), 'InvalidCommandId', /does not exist/);
  });

  it('cancels only the instances named, and checks them', async () => {
    const command = await bed.send(run({ InstanceIds: ids(3), MaxConcurrency: '1' }));
    await apiError(bed.call('CancelCommand', { CommandId: command.CommandId, InstanceIds: [idOf(4)] }), 'InvalidInstanceId');
    await apiError(bed.call('CancelCommand', { CommandId: command.CommandId, InstanceIds: [idOf(2), idOf(2)] }), 'DuplicateInstanceId');
    await bed.call('CancelCommand', { CommandId: command.CommandId, InstanceIds: [idOf(2)] });
    assert.deepEqual(await bed.statuses(command.CommandId), ['01:Pending/Pending', '02:Cancelled/Cancelled', '03:Pending/Pending']);
    await bed.result(idOf(1), command.CommandId, 'Success');
    assert.deepEqual(bed.commandsSent().map((m) => m.instanceId), [idOf(1), idOf(3)], 'the cancelled one is skipped');
    await bed.result(idOf(3), command.CommandId, 'Success');
    assert.equal((await bed.command(command.CommandId)).Status, 'Cancelled');
  });

  it('a cancel the agent never answers ends Cancelled at ExpiresAfter', async () => {
    const command = await bed.send(run({ InstanceIds: [idOf(1)], TimeoutSeconds: 30, Parameters: { commands: ['ls'], executionTimeout: ['30'] } }));
    await bed.ack(idOf(1), command.CommandId);
    await bed.call('CancelCommand', { CommandId: command.CommandId });
    bed.clock.advance(61);
    await bed.tick();
    assert.deepEqual(await bed.statuses(command.CommandId), ['01:Cancelled/Cancelled']);
    assert.equal((await bed.command(command.CommandId)).Status, 'Cancelled');
  });
});

describe('commands: control-plane restart', () => {
  let bed: Bed;
  afterEach(() => bed.close());

  it('resumes a fan-out: the rest are dispatched, nothing runs twice, all end Success', async () => {
    bed = await Bed.create(fleet(10));
    const command = await bed.send(run({ InstanceIds: ids(10), MaxConcurrency: '3' }));
    const { CommandId: commandId } = command;

    // The hosts: each runs a command at most once, whatever it is sent (the agent deduplicates by commandId).
    const accepted = new Set<string>();
    const runs = new Map<string, number>();
    const deliver = async (instanceId: string): Promise<void> => {
      if (!accepted.has(instanceId)) {
        accepted.add(instanceId);
        runs.set(instanceId, (runs.get(instanceId) ?? 0) + 1);
      }
      await bed.ack(instanceId, commandId);
    };

    assert.deepEqual(bed.commandsSent().map((m) => m.instanceId), ids(3));
    for (const id of ids(3)) await deliver(id);
    await bed.result(idOf(1), commandId, 'Success');
    await bed.result(idOf(2), commandId, 'Success');
    assert.deepEqual(bed.commandsSent().map((m) => m.instanceId), ids(5), '2 finished, 2 more sent');
    await deliver(idOf(4)); // accepted; instance 5's command is still unacknowledged when the control plane goes down
    const before = bed.sent.length;

    await bed.restart();
    const resent = bed.sent.slice(before).filter((m) => m.type === 'command');
    assert.deepEqual(resent.map((m) => m.instanceId), [idOf(5)], 'only the unacknowledged command is sent again');
    assert.equal((resent[0]!.body as CommandBody).commandId, commandId);
    assert.equal((await bed.command(commandId)).Status, 'InProgress');

    // Hosts 3 and 4 finish and resend their results to the new control plane; every later command is delivered.
    let cursor = before;
    const answered = new Set<string>([idOf(1), idOf(2)]);
    let maxInFlight = 0;
    await bed.result(idOf(3), commandId, 'Success');
    answered.add(idOf(3));
    await bed.result(idOf(4), commandId, 'Success');
    answered.add(idOf(4));
    while (answered.size < 10) {
      const fresh = bed.sent.slice(cursor).filter((m) => m.type === 'command');
      cursor = bed.sent.length;
      const pending = [...new Set(bed.commandsSent().map((m) => m.instanceId))].filter((id) => !answered.has(id));
      maxInFlight = Math.max(maxInFlight, pending.length);
      assert.ok(fresh.length > 0 || pending.length > 0, 'the dispatcher must make progress');
      for (const message of fresh) await deliver(message.instanceId);
      for (const id of pending) {
        if (!accepted.has(id)) await deliver(id);
        await bed.result(id, commandId, 'Success');
        answered.add(id);
      }
    }
    assert.ok(maxInFlight <= 3, `at most 3 in flight after the restart, saw ${maxInFlight}`);

    const final = await bed.command(commandId);
    assert.equal(final.Status, 'Success');
    assert.equal(final.CompletedCount, 10);
    for (const id of ids(10)) assert.equal(runs.get(id), 1, `${id} ran exactly once`);
    const perInstance = new Map<string, number>();
    for (const message of bed.commandsSent()) {
      assert.equal((message.body as CommandBody).commandId, commandId);
      perInstance.set(message.instanceId, (perInstance.get(message.instanceId) ?? 0) + 1);
    }
    for (const id of ids(10)) assert.equal(perInstance.get(id), id === idOf(5) ? 2 : 1, `commands sent to ${id}`);
    assert.deepEqual(await bed.statuses(commandId), ids(10).map((id) => `${id.slice(-2)}:Success/Success`));
  });

  it('a control plane restarted after the delivery deadline ends what was not accepted, without sending it again', async () => {
    bed = await Bed.create([instance(1), instance(2), instance(3, { PingStatus: 'ConnectionLost' })]);
    const command = await bed.send(run({ InstanceIds: ids(3), TimeoutSeconds: 60, Parameters: { commands: ['ls'], executionTimeout: ['600'] } }));
    await bed.ack(idOf(2), command.CommandId); // accepted before the crash: it is the agent's to finish
    assert.deepEqual(await bed.statuses(command.CommandId), ['01:Pending/Pending', '02:InProgress/InProgress', '03:Delayed/Delayed']);
    const before = bed.sent.length;

    bed.clock.advance(120); // down across the deadline
    await bed.restart();
    assert.deepEqual(await bed.statuses(command.CommandId), ['01:TimedOut/DeliveryTimedOut', '02:InProgress/InProgress', '03:TimedOut/DeliveryTimedOut']);
    const after = bed.sent.slice(before);
    assert.deepEqual(after.filter((m) => m.type === 'command'), [], 'no command is sent after its deadline');
    assert.deepEqual(after.filter((m) => m.type === 'cancel').map((m) => m.instanceId), [idOf(1)], 'the host that may have it late is told not to run it');
    const stored = await bed.store.table<InvocationRecord>('command-invocations').get(`${command.CommandId}/${idOf(1)}`);
    assert.equal(stored?.StatusDetails, 'DeliveryTimedOut', 'the timeout is in the store, not only in memory');

    await bed.result(idOf(2), command.CommandId, 'Success');
    const final = await bed.command(command.CommandId);
    assert.equal(final.DeliveryTimedOutCount, 2);
    assert.equal(final.CompletedCount, 3);
  });

  it('forgets invocations whose command record was never written, and keeps finished commands listable', async () => {
    bed = await Bed.create(fleet(2));
    const done = await bed.send(run({ InstanceIds: [idOf(1)] }));
    await bed.result(idOf(1), done.CommandId, 'Success');
    const orphan: InvocationRecord = { CommandId: '11111111-2222-4333-8444-555555555555', InstanceId: idOf(2), seq: 0, Status: 'Pending', StatusDetails: 'Pending', sendCount: 0, ResponseCode: -1, steps: [] };
    await bed.store.table<InvocationRecord>('command-invocations').put(`${orphan.CommandId}/${orphan.InstanceId}`, orphan);
    await bed.restart();
    const left = await bed.store.table<InvocationRecord>('command-invocations').list();
    assert.deepEqual(left.map((i) => i.CommandId), [done.CommandId]);
    assert.equal((await bed.command(done.CommandId)).Status, 'Success');
    assert.equal(bed.commandsSent().length, 1, 'nothing was sent on restart');
    const stored = await bed.store.table<CommandRecord>('commands').get(done.CommandId);
    assert.equal(stored?.finishedAt, new Date(T0).toISOString());
  });
});

describe('commands: full outputs', () => {
  let bed: Bed;
  let server: http.Server;
  let base = '';
  let keys: SigningKeyPair;
  let other: SigningKeyPair;
  let commandId = '';

  beforeEach(async () => {
    keys = generateSigningKeyPair();
    other = generateSigningKeyPair();
    bed = await Bed.create([instance(1, { publicKey: toBase64(keys.publicKey) }), instance(2, { publicKey: toBase64(other.publicKey) })]);
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void bed.service.handleOutputUpload(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    commandId = (await bed.send(run({ InstanceIds: [idOf(1), idOf(2)] }))).CommandId;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await bed.close();
  });

  async function upload(options: { path?: string; instanceId?: string; key?: SigningKeyPair; timestamp?: number; body?: Buffer; signature?: string; method?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const body = options.body ?? Buffer.from('full output\n');
    const target = options.path ?? outputUploadPath(commandId, idOf(1), 'runShellScript', 'stdout');
    const timestamp = options.timestamp ?? bed.clock.ms;
    const signature = options.signature ?? signOutputUpload(target, timestamp, body, (options.key ?? keys).secretKey);
    const response = await fetch(`${base}${target}`, {
      method: options.method ?? 'PUT',
      headers: { [OUTPUT_HEADERS.instance]: options.instanceId ?? idOf(1), [OUTPUT_HEADERS.timestamp]: String(timestamp), [OUTPUT_HEADERS.signature]: signature },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('stores an upload signed by the instance and serves it back whole', async () => {
    const content = Buffer.concat([Buffer.from('x'.repeat(100_000)), Buffer.from([0xff, 0xfe, 0x00, 0x80])]);
    const answer = await upload({ body: content });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.Bytes, content.length);
    assert.deepEqual(await bed.service.readOutput(commandId, idOf(1), 'runShellScript', 'stdout'), content);

    await bed.result(idOf(1), commandId, 'Success', { steps: [step('runShellScript', 'Success', { stdout: 'x'.repeat(24_000), stdoutBytes: content.length })] });
    const output = await bed.call('GetCommandOutput', { CommandId: commandId, InstanceId: idOf(1) });
    assert.equal(output.Bytes, content.length);
    assert.deepEqual(Buffer.from(output.Content as string, 'base64'), content);
    const got = await bed.call('GetCommandInvocation', { CommandId: commandId, InstanceId: idOf(1) });
    assert.match(got.StandardOutputUrl as string, /\/tender\/v1\/outputs\/.+\/runShellScript\/stdout$/);

    // A second upload of the same stream replaces the first.
    assert.equal((await upload({ body: Buffer.from('again') })).status, 200);
    assert.equal((await bed.service.readOutput(commandId, idOf(1), 'runShellScript', 'stdout')).toString(), 'again');
  });

  it('refuses bad signatures, other instances, stale timestamps and unknown targets', async () => {
    const tampered = await upload({ signature: signOutputUpload('/something/else', bed.clock.ms, Buffer.from('full output\n'), keys.secretKey) });
    assert.equal(tampered.status, 401);
    assert.equal(tampered.body.__type, 'InvalidSignatureException');
    assert.equal((await upload({ key: other })).status, 401, 'signed with another key');
    assert.equal((await upload({ signature: 'not base64!' })).status, 401);

    const wrong = await upload({ instanceId: idOf(2), key: other });
    assert.equal(wrong.status, 403, 'instance 2 signs correctly but uploads for instance 1');
    assert.equal(wrong.body.__type, 'AccessDeniedException');

    const stale = await upload({ timestamp: bed.clock.ms - 5 * 60 * 1000 - 1 });
    assert.equal(stale.status, 401);
    assert.equal(stale.body.__type, 'SignatureExpired');
    assert.equal((await upload({ timestamp: bed.clock.ms + 5 * 60 * 1000 + 1 })).status, 401, 'from the future too');
    assert.equal((await upload({ instanceId: idOf(7) })).status, 401, 'unknown instance');

    const missing = await fetch(`${base}${outputUploadPath(commandId, idOf(1), 'runShellScript', 'stdout')}`, { method: 'PUT', body: 'x' });
    assert.equal(missing.status, 401);

    assert.equal((await upload({ path: outputUploadPath('00000000-0000-4000-8000-000000000000', idOf(1), 'runShellScript', 'stdout') })).status, 404);
    assert.equal((await upload({ path: outputUploadPath(commandId, idOf(1), 'no-such-step', 'stdout') })).status, 400);
    assert.equal((await upload({ path: `/tender/v1/outputs/${commandId}/${idOf(1)}/runShellScript/trace` })).status, 400);
    assert.equal((await upload({ path: `/tender/v1/outputs/${commandId}/${idOf(1)}/..%2F..%2Fetc/stdout` })).status, 400);
    assert.equal((await upload({ method: 'POST' })).status, 405);

    await apiError(bed.service.readOutput(commandId, idOf(1), 'runShellScript', 'stdout'), 'OutputNotAvailable', undefined, 404);
  });

  it('serves a complete preview when nothing was uploaded, and says when the output is missing', async () => {
    await bed.result(idOf(1), commandId, 'Success', { steps: [step('runShellScript', 'Success', { stdout: 'small\n', stderr: '' })] });
    assert.equal((await bed.service.readOutput(commandId, idOf(1), 'runShellScript', 'stdout')).toString(), 'small\n');
    assert.equal((await bed.service.readOutput(commandId, idOf(1), 'runShellScript', 'stderr')).length, 0);
    await bed.result(idOf(2), commandId, 'Success', { steps: [step('runShellScript', 'Success', { stdout: 'x'.repeat(10), stdoutBytes: 1000 })] });
    await apiError(bed.service.readOutput(commandId, idOf(2), 'runShellScript', 'stdout'), 'OutputNotAvailable', /1000 bytes/, 404);
    await apiError(bed.service.readOutput(commandId, idOf(2), 'other', 'stdout'), 'InvalidPluginName');
    await apiError(bed.call('GetCommandOutput', { CommandId: commandId, InstanceId: idOf(3) }), 'InvocationDoesNotExist');
  });
});

describe('commands: building blocks', () => {
  it('finalCommandStatus follows SSM rules', () => {
    const inv = (Status: InvocationRecord['Status'], StatusDetails: string = Status): InvocationRecord => ({ CommandId: 'c', InstanceId: 'i', seq: 0, Status, StatusDetails, sendCount: 1, ResponseCode: 0, steps: [] });
    const final = (invocations: InvocationRecord[], maxErrors = 0, cancelled = false) => {
      const { Status, StatusDetails } = finalCommandStatus(invocations, { maxErrors, cancelled });
      return `${Status}/${StatusDetails}`;
    };
    assert.equal(final([]), 'Failed/NoInstancesInTag');
    assert.equal(final([inv('Success'), inv('Success')]), 'Success/Success');
    assert.equal(final([inv('Success'), inv('Failed')]), 'Failed/Failed');
    assert.equal(final([inv('Success'), inv('Failed')], 1), 'Success/Incomplete');
    assert.equal(final([inv('TimedOut', 'ExecutionTimedOut'), inv('Failed'), inv('TimedOut', 'ExecutionTimedOut')]), 'TimedOut/ExecutionTimedOut');
    assert.equal(final([inv('Success'), inv('TimedOut', 'DeliveryTimedOut')]), 'TimedOut/DeliveryTimedOut');
    assert.equal(final([inv('Success'), inv('TimedOut', 'DeliveryTimedOut')], 1), 'Success/Incomplete');
    assert.equal(final([inv('Failed', 'Undeliverable'), inv('Failed', 'Undeliverable')]), 'Failed/Failed');
    assert.equal(final([inv('Failed', 'Undeliverable'), inv('Success')]), 'Success/Success');
    assert.equal(final([inv('Success'), inv('Cancelled')]), 'Cancelled/Cancelled');
    assert.equal(final([inv('Success'), inv('Success')], 0, true), 'Cancelled/Cancelled');
  });

  it('pluginOutput reproduces SSM Agent truncation', () => {
    assert.equal(pluginOutput('out', ''), 'out');
    assert.equal(pluginOutput('out', 'err'), 'out\n----------ERROR-------\nerr');
    const both = pluginOutput('o'.repeat(5000), 'e'.repeat(5000));
    assert.ok(both.length <= 2400);
    assert.match(both, /^o+\n---Output truncated---\n----------ERROR-------\ne+\n---Error truncated----$/);
    const longError = pluginOutput('short', 'e'.repeat(5000));
    assert.ok(longError.startsWith('short\n----------ERROR-------\ne'));
    assert.ok(longError.endsWith('---Error truncated----'));
    assert.ok(longError.length <= 2400);
  });

  it('WriteBehind batches writes, keeps them ordered, and retries a failed round', async () => {
    const writes = new WriteBehind();
    const log: string[] = [];
    let fail = true;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    writes.mark('a', async () => {
      await gate;
      log.push('a1');
    });
    const first = writes.flush();
    writes.mark('a', async () => {
      log.push('a2');
    });
    writes.mark('b', async () => {
      if (fail) throw new Error('disk full');
      log.push('b');
    });
    const second = writes.flush();
    const third = writes.flush();
    assert.equal(second, third, 'callers during a round share the next one');
    release();
    await first;
    await assert.rejects(second, /disk full/);
    assert.deepEqual(log, ['a1', 'a2'], 'the second write of a key starts only after the first finished');
    fail = false;
    await writes.flush();
    assert.deepEqual(log, ['a1', 'a2', 'b']);
    assert.equal(writes.pending, 0);
  });
});
