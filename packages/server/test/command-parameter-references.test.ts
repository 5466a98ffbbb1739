/**
 * Parameter Store references in SendCommand: `{{ssm:...}}` values put in by the control plane before dispatch,
 * `{{ssm-secure:...}}` values sealed to each target and never stored, SSM's errors for misuse. The Parameter
 * Store is a small resolver in the test with the contract of ParameterService.resolveReference.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from '@tender/documents';
import { createMessage, generateBoxKeyPair, toBase64, unseal, type BoxKeyPair, type CommandBody } from '@tender/protocol';
import type { Principal } from '../src/access/access-keys.js';
import type { AuditEvent } from '../src/audit/audit-record.js';
import { ApiError } from '../src/api/errors.js';
import type { Input } from '../src/api/operation.js';
import { COMMANDS_TABLE } from '../src/commands/command-records.js';
import { agentMessageHandlers, commandOperations, CommandService, type ResolveDocument } from '../src/commands/index.js';
import type { ResolvedReference, ResolveReference } from '../src/commands/parameter-store-references.js';
import { InstanceRegistry, type InstanceRecord } from '../src/instances/instance-registry.js';
import { FileStore } from '../src/store/file-store.js';
import { apiError, ManualClock, testContext } from './support/operation-harness.js';
import { instanceRecord } from './support/instance-records.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const idOf = (n: number): string => `mi-${n.toString(16).padStart(17, '0')}`;
const SECRET = 'hunter2-S3cr3t!';

const RUN_SHELL = {
  schemaVersion: '2.2',
  description: 'test copy of AWS-RunShellScript',
  parameters: {
    commands: { type: 'StringList', allowedPattern: '^[a-zA-Z0-9 ._{}:/$,-]+$' },
    executionTimeout: { type: 'String', default: '3600' },
  },
  mainSteps: [{ action: 'aws:runShellScript', name: 'runShellScript', inputs: { runCommand: '{{ commands }}', timeoutSeconds: '{{ executionTimeout }}' } }],
};
const WITH_DEFAULTS = {
  schemaVersion: '2.2',
  description: 'defaults that read Parameter Store',
  parameters: {
    host: { type: 'String', default: '{{ssm:/app/db-host}}' },
    password: { type: 'String', default: '{{ ssm-secure:db/password }}', interpolationType: 'ENV_VAR' },
  },
  mainSteps: [
    {
      action: 'aws:runShellScript',
      name: 'run',
      precondition: { StringEquals: ['platformType', 'Linux'] },
      inputs: { runCommand: ['connect {{ host }} {{ password }}', 'echo {{ssm:/app/banner}}'] },
    },
  ],
};
const PATTERNED = {
  schemaVersion: '2.2',
  description: 'a pattern the fetched value must match',
  parameters: { port: { type: 'String', allowedPattern: '^[0-9]+$' } },
  mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['nc -z localhost {{ port }}'] } }],
};
const DOCUMENTS: Record<string, object> = { 'Test-RunShellScript': RUN_SHELL, 'Test-Defaults': WITH_DEFAULTS, 'Test-Patterned': PATTERNED };

const resolveDocument: ResolveDocument = async (name) => {
  const content = DOCUMENTS[name];
  if (!content) throw new ApiError('InvalidDocument', `Document ${name} does not exist`);
  const text = JSON.stringify(content);
  return { name, version: '1', document: parseDocument(text, { name }), content: content as Record<string, unknown>, hash: createHash('sha256').update(text).digest('hex') };
};

interface StoredParameter {
  type: ResolvedReference['type'];
  versions: string[];
  labels?: Record<string, number>;
}

/** Parameter Store as ParameterService.resolveReference behaves: versions, labels, not-found and denial errors. */
class TestParameterStore {
  readonly calls: Array<{ caller: string; selector: string }> = [];
  readonly denied = new Set<string>();
  constructor(readonly parameters: Record<string, StoredParameter>) {}

  readonly resolve: ResolveReference = async (caller: Principal, selector: string) => {
    this.calls.push({ caller: caller.arn, selector });
    const [name, which] = selector.split(':') as [string, string | undefined];
    const parameter = this.parameters[name];
    if (!parameter) throw new ApiError('ParameterNotFound', `Parameter ${name} not found.`);
    if (this.denied.has(name)) throw new ApiError('AccessDeniedException', `User: ${caller.arn} is not authorized to perform: ssm:GetParameters on resource: parameter/${name}`);
    let version = parameter.versions.length;
    if (which !== undefined) {
      version = /^\d+$/.test(which) ? Number(which) : (parameter.labels?.[which] ?? 0);
      if (version < 1 || version > parameter.versions.length) throw new ApiError('ParameterVersionNotFound', `Systems Manager could not find version ${which} of ${name}.`);
    }
    return { name, type: parameter.type, version, value: parameter.versions[version - 1]! };
  };
}

function instance(n: number, box: BoxKeyPair): InstanceRecord {
  return instanceRecord(idOf(n), { RegistrationDate: new Date(T0).toISOString(), publicKey: Buffer.alloc(32, n).toString('base64'), boxPublicKey: toBase64(box.publicKey) });
}

interface Sent {
  instanceId: string;
  type: string;
  body: CommandBody;
}

class Bed {
  dir = '';
  clock = new ManualClock(T0);
  store!: FileStore;
  registry!: InstanceRegistry;
  service!: CommandService;
  sent: Sent[] = [];
  audited: AuditEvent[] = [];
  readonly controlPlaneBox = generateBoxKeyPair();
  readonly agentBoxes = [generateBoxKeyPair(), generateBoxKeyPair()];

  constructor(readonly parameterStore: TestParameterStore) {}

  async open(): Promise<void> {
    this.store = await FileStore.open(this.dir);
    this.registry = await InstanceRegistry.open(this.store, { now: this.clock.now, flushEveryMs: 3_600_000 });
    this.service = new CommandService({
      store: this.store,
      registry: this.registry,
      send: async (instanceId, type, body) => void this.sent.push({ instanceId, type, body: structuredClone(body) as CommandBody }),
      resolveDocument,
      resolveReference: this.parameterStore.resolve,
      boxSecretKey: this.controlPlaneBox.secretKey,
      audit: async (event) => void this.audited.push(event),
      now: this.clock.now,
      outputsDir: path.join(this.dir, 'outputs'),
      region: 'us-east-1',
      accountId: '123456789012',
      tickMs: 0,
    });
  }

  static async create(parameterStore: TestParameterStore): Promise<Bed> {
    const bed = new Bed(parameterStore);
    bed.dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-paramrefs-'));
    await bed.open();
    for (const [index, box] of bed.agentBoxes.entries()) await bed.registry.add(instance(index + 1, box));
    await bed.service.start();
    return bed;
  }

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
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  async call(name: string, input: Input): Promise<Record<string, unknown>> {
    const operation = commandOperations(this.service).find((op) => op.name === name)!;
    const result = (await operation.handle(input, testContext)) as Record<string, unknown>;
    await this.service.whenSent();
    return result;
  }

  async send(input: Input): Promise<string> {
    const { Command } = (await this.call('SendCommand', { InstanceIds: [idOf(1)], ...input })) as { Command: { CommandId: string } };
    return Command.CommandId;
  }

  commandTo(instanceId: string, commandId: string): CommandBody {
    const found = this.sent.filter((m) => m.type === 'command' && m.instanceId === instanceId && m.body.commandId === commandId).at(-1);
    assert.ok(found, `no command ${commandId} sent to ${instanceId}`);
    return found.body;
  }

  /** Opens a sealed value as the agent with this box key would. */
  open_(sealed: NonNullable<CommandBody['secrets']>[string], agent: BoxKeyPair): string | undefined {
    const opened = unseal(sealed, this.controlPlaneBox.publicKey, agent.secretKey);
    return opened === null ? undefined : new TextDecoder().decode(opened);
  }

  async ack(instanceId: string, commandId: string): Promise<void> {
    await agentMessageHandlers(this.service)['command-ack'](createMessage({ type: 'command-ack', from: instanceId, to: 'cp', body: { commandId, accepted: 'new' }, ts: this.clock.ms }));
    await this.service.whenSent();
  }

  /** Every byte under the data directory (store files, outputs), after pending writes. */
  async everythingWritten(): Promise<Buffer> {
    await this.service.stop().catch(() => undefined);
    const chunks: Buffer[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else chunks.push(await fs.readFile(full));
      }
    };
    await walk(this.dir);
    return Buffer.concat(chunks);
  }
}

describe('SendCommand with Parameter Store references', () => {
  let parameterStore: TestParameterStore;
  let bed: Bed;

  beforeEach(async () => {
    parameterStore = new TestParameterStore({
      '/app/db-host': { type: 'String', versions: ['db-1.internal'] },
      '/app/banner': { type: 'String', versions: ['hello'] },
      '/app/release': { type: 'String', versions: ['r1', 'r2', 'r3'], labels: { prod: 1, canary: 3 } },
      '/app/cmds': { type: 'StringList', versions: ["uptime,'echo a,b',whoami"] },
      '/app/port': { type: 'String', versions: ['5432', 'not-a-port'] },
      'db/password': { type: 'SecureString', versions: ['old-password', SECRET] },
    });
    bed = await Bed.create(parameterStore);
  });
  afterEach(async () => {
    await bed.close();
  });

  it('puts plain values in before dispatch: latest, a version, a label, as the caller', async () => {
    const id = await bed.send({
      DocumentName: 'Test-RunShellScript',
      Parameters: { commands: ['echo {{ssm:/app/release}} {{ssm:/app/release:2}} {{ ssm:/app/release:prod }} {{ssm:/app/release:canary}}'] },
    });
    const body = bed.commandTo(idOf(1), id);
    assert.deepEqual(body.parameters.commands, ['echo r3 r2 r1 r3']);
    assert.equal(body.secrets, undefined);
    assert.deepEqual(
      parameterStore.calls.map((call) => call.selector),
      ['/app/release', '/app/release:2', '/app/release:prod', '/app/release:canary'],
    );
    assert.ok(parameterStore.calls.every((call) => call.caller === testContext.caller.arn));
    // The command keeps the parameters as the caller wrote them.
    const { Commands } = (await bed.call('ListCommands', { CommandId: id })) as { Commands: Array<{ Parameters: unknown }> };
    assert.deepEqual(Commands[0]!.Parameters, { commands: ['echo {{ssm:/app/release}} {{ssm:/app/release:2}} {{ ssm:/app/release:prod }} {{ssm:/app/release:canary}}'] });
  });

  it('splits a StringList that is a whole item into items, and refuses one used inside a string', async () => {
    const id = await bed.send({ DocumentName: 'Test-RunShellScript', Parameters: { commands: ['{{ssm:/app/cmds}}', 'date'] } });
    assert.deepEqual(bed.commandTo(idOf(1), id).parameters.commands, ['uptime', 'echo a,b', 'whoami', 'date']);
    await apiError(bed.send({ DocumentName: 'Test-RunShellScript', Parameters: { commands: ['echo {{ssm:/app/cmds}}'] } }), 'InvalidParameters', /SSM parameter \/app\/cmds of type StringList cannot be used as a String/);
  });

  it('checks fetched values against the document (allowedPattern), naming the version it got', async () => {
    const id = await bed.send({ DocumentName: 'Test-Patterned', Parameters: { port: ['{{ssm:/app/port:1}}'] } });
    assert.deepEqual(bed.commandTo(idOf(1), id).parameters.port, '5432');
    await apiError(bed.send({ DocumentName: 'Test-Patterned', Parameters: { port: ['{{ssm:/app/port}}'] } }), 'InvalidParameters', /Parameter "port" value "not-a-port" does not match pattern/);
  });

  it('resolves references in defaults and in the steps; seals SecureStrings to each target, never storing the value', async () => {
    const id = await bed.send({ DocumentName: 'Test-Defaults', InstanceIds: [idOf(1), idOf(2)] });
    const first = bed.commandTo(idOf(1), id);
    const second = bed.commandTo(idOf(2), id);
    // Plain values are in; the secure reference stays as written, in the parameters and in the document.
    assert.equal(first.parameters.host, 'db-1.internal');
    assert.equal(first.parameters.password, '{{ ssm-secure:db/password }}');
    const step = (first.document.mainSteps as Array<{ inputs: { runCommand: string[] }; precondition: unknown }>)[0]!;
    assert.deepEqual(step.inputs.runCommand, ['connect {{ host }} {{ password }}', 'echo hello']);
    assert.deepEqual(step.precondition, { StringEquals: ['platformType', 'Linux'] });
    // Each instance gets the latest version sealed to its own key; the other's key does not open it.
    assert.deepEqual(Object.keys(first.secrets ?? {}), ['ssm-secure:db/password']);
    const sealedForFirst = first.secrets!['ssm-secure:db/password']!;
    const sealedForSecond = second.secrets!['ssm-secure:db/password']!;
    assert.equal(bed.open_(sealedForFirst, bed.agentBoxes[0]!), SECRET);
    assert.equal(bed.open_(sealedForSecond, bed.agentBoxes[1]!), SECRET);
    assert.equal(bed.open_(sealedForFirst, bed.agentBoxes[1]!), undefined);
    assert.notDeepEqual(sealedForFirst, sealedForSecond);
    assert.ok(!JSON.stringify(bed.sent).includes(SECRET), 'no message carries the value in the clear');
    // The reads are in the audit trail: which parameters, which versions, as whom; never the values.
    assert.deepEqual(bed.audited.map((event) => [event.operation, event.caller, event.outcome, event.resources]), [
      ['ssm:GetParameters', testContext.caller.arn, 'success', ['arn:aws:ssm:us-east-1:123456789012:parameter/app/db-host', 'arn:aws:ssm:us-east-1:123456789012:parameter/app/banner', 'arn:aws:ssm:us-east-1:123456789012:parameter/db/password']],
    ]);
    assert.equal(
      bed.audited[0]!.detail,
      `Parameter Store references of command ${id}: {{ssm:/app/db-host}} = /app/db-host version 1, {{ssm:/app/banner}} = /app/banner version 1, {{ssm-secure:db/password}} = db/password version 2; SecureString values sealed to 2 instances`,
    );

    // Until the agent accepts it, the sealed copy is kept for resends (a restart included); then it is dropped.
    await bed.restart();
    const before = bed.sent.length;
    bed.clock.advance(31);
    await bed.service.tick();
    await bed.service.whenSent();
    const resent = bed.sent.slice(before).find((m) => m.instanceId === idOf(1) && m.type === 'command');
    assert.ok(resent, 'the unacknowledged command is sent again');
    assert.equal(bed.open_(resent.body.secrets!['ssm-secure:db/password']!, bed.agentBoxes[0]!), SECRET);
    await bed.ack(idOf(1), id);
    assert.equal((await bed.service.getInvocation(id, idOf(1)))?.invocation.secrets, undefined);
    assert.ok((await bed.service.getInvocation(id, idOf(2)))?.invocation.secrets, 'not acknowledged yet: kept');

    const written = await bed.everythingWritten();
    assert.ok(written.length > 0);
    assert.equal(written.indexOf(SECRET), -1, 'the SecureString value is nowhere in the data directory');
    assert.ok(written.includes('{{ ssm-secure:db/password }}'), 'the reference is, as written');
  });

  it('an instance whose box key cannot be sealed to gets no secrets (its agent fails the run); the others do', async () => {
    await bed.registry.add({ ...instance(3, generateBoxKeyPair()), boxPublicKey: toBase64(new Uint8Array(32)) });
    const id = await bed.send({ DocumentName: 'Test-Defaults', InstanceIds: [idOf(1), idOf(3)] });
    assert.equal(bed.open_(bed.commandTo(idOf(1), id).secrets!['ssm-secure:db/password']!, bed.agentBoxes[0]!), SECRET);
    assert.equal(bed.commandTo(idOf(3), id).secrets, undefined);
  });

  it('refuses misuse with SSM errors, without writing anything or telling the value', async () => {
    const cases: Array<[Input, string, RegExp]> = [
      [{ DocumentName: 'Test-RunShellScript', Parameters: { commands: ['echo {{ssm:db/password}}'] } }, 'InvalidParameters', /Parameters \[db\/password\] of type SecureString are not supported.*\{\{ssm-secure:db\/password\}\}/],
      [{ DocumentName: 'Test-RunShellScript', Parameters: { commands: ['echo {{ssm-secure:/app/banner}}'] } }, 'InvalidParameters', /\/app\/banner, a String parameter; \{\{ssm-secure:\.\.\.\}\} is for SecureString parameters/],
      [{ DocumentName: 'Test-RunShellScript', Parameters: { commands: ['echo {{ssm:/app/missing}}'] } }, 'InvalidParameters', /Input contains invalid parameters \[\/app\/missing\].*ParameterNotFound/],
      [{ DocumentName: 'Test-RunShellScript', Parameters: { commands: ['echo {{ssm:/app/release:7}}'] } }, 'InvalidParameters', /ParameterVersionNotFound/],
      [{ DocumentName: 'Test-RunShellScript', Parameters: { commands: ['echo {{ssm-secure:db/password:nolabel}}'] } }, 'InvalidParameters', /\{\{ssm-secure:db\/password:nolabel\}\} cannot be resolved/],
      [{ DocumentName: 'Test-RunShellScript', Parameters: { commands: ['echo {{ssm:/app/release:1:2}}'] } }, 'InvalidParameters', /\{\{ssm:\/app\/release:1:2\}\}: not a Parameter Store reference/],
    ];
    for (const [input, code, message] of cases) {
      const error = await apiError(bed.send(input), code, message);
      assert.ok(!error.message.includes(SECRET) && !error.message.includes('old-password'), error.message);
    }
    parameterStore.denied.add('db/password');
    await apiError(bed.send({ DocumentName: 'Test-Defaults' }), 'AccessDeniedException', /ssm:GetParameters/);
    assert.deepEqual(await bed.store.table(COMMANDS_TABLE).list(), []);
    assert.deepEqual(await bed.service.listInvocations(), []);
    assert.deepEqual(bed.sent, []);
  });

  it('without a Parameter Store, a reference is refused clearly', async () => {
    const service = new CommandService({
      store: bed.store,
      registry: bed.registry,
      send: async () => undefined,
      resolveDocument,
      now: bed.clock.now,
      outputsDir: path.join(bed.dir, 'outputs'),
      region: 'us-east-1',
      accountId: '123456789012',
      tickMs: 0,
    });
    await service.start();
    await apiError(service.sendCommand({ DocumentName: 'Test-Defaults', InstanceIds: [idOf(1)] }, testContext), 'InvalidParameters', /cannot be resolved: this control plane has no Parameter Store/);
    await service.stop();
  });
});
