/**
 * Run Command on the control plane: SendCommand's records, the dispatcher (MaxConcurrency, MaxErrors, delivery
 * and total timeouts, instances that are offline), the agents' acknowledgements and results, CancelCommand, and
 * recovery after a restart.
 *
 * How it stays correct when things fail:
 *   - The commands that are not finished live in memory; every change to them is made synchronously (so two
 *     events never interleave inside one) and then written through a WriteBehind. Messages that depend on a
 *     change (a `command` after its invocation is marked dispatched, a `result-ack` after the result is stored)
 *     are sent only once that write has completed.
 *   - SendCommand writes its invocations first and the command record last; invocations without a command
 *     (a crash in between) are deleted at start(), so no half-created command survives.
 *   - start() reloads the unfinished commands: invocations never sent are dispatched, invocations sent but not
 *     acknowledged get the same `command` again (the agent deduplicates by commandId), acknowledged ones wait for
 *     their results, which the agent resends until they are acknowledged. No invocation is ever sent as new twice.
 *   - A `command-result` is idempotent: the first final status wins; any later copy is acknowledged again and
 *     changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CancelBody, CommandAckBody, CommandBody, CommandResultBody, CommandStatusBody, Message, ResultAckBody, StepResultBody } from '@tender/protocol';
import { ApiError } from '../api/errors.js';
import { SILENT_LOGGER, type CommandLogger } from './command-logger.js';
import type { Input } from '../api/operation.js';
import type { InstanceRecord, InstanceRegistry } from '../instances/instance-registry.js';
import type { DeepReadonly, Store, Table } from '../store/store.js';
import type { CommandRecord, InvocationRecord, InvocationStatus } from './command-records.js';
import { COMMANDS_TABLE, INVOCATIONS_TABLE, invocationKey, isInFlight, isTerminalCommand, isTerminalInvocation } from './command-records.js';
import { countsAgainstMaxErrors, finalCommandStatus, statusFromAgentResult } from './command-status.js';
import { resolveInstanceIds, resolveTargets } from './command-targets.js';
import type { InvocationViewContext } from './command-views.js';
import { describeCommand } from './command-views.js';
import { handleOutputUpload } from './output-upload.js';
import { InvocationIndex } from './invocation-index.js';
import { CommandOrder, commandPosition, type CommandPosition } from './command-order.js';
import { OutputStore } from './output-store.js';
import type { OutputStream } from '@tender/protocol';
import { outputUploadPath } from '@tender/protocol';
import type { AuditEvent } from '../audit/audit-record.js';
import type { CallContext } from '../api/operation.js';
import { describeReferences, type FetchedValue, type ResolveReference } from './parameter-store-references.js';
import { prepareRun, type ResolveDocument } from './prepare-run.js';
import { SecretValues } from './sealed-secrets.js';
import { concurrencyLimit, errorLimit } from './rate-controls.js';
import { parseSendCommand } from './send-command-input.js';
import { WriteBehind } from './write-behind.js';

/** The gateway's send: sign and publish one message to one agent. */
export type SendToInstance = (instanceId: string, type: string, body: unknown) => Promise<unknown>;

export interface CommandServiceOptions {
  store: Store;
  registry: InstanceRegistry;
  send: SendToInstance;
  resolveDocument: ResolveDocument;
  /** The Parameter Store's resolver for `{{ssm:...}}` references; without it such commands are refused. */
  resolveReference?: ResolveReference;
  /** The control plane's box secret key: `{{ssm-secure:...}}` values are sealed from it to each agent's box key. */
  boxSecretKey?: Uint8Array;
  /** The audit trail: each Parameter Store read a command makes is recorded (references and versions, no values). */
  audit?: (event: AuditEvent) => Promise<unknown>;
  now: () => Date;
  /** Where full step outputs are kept (one file per stream). */
  outputsDir: string;
  /** The control plane's region and account (ARNs are built from the call context; kept for future use in records). */
  region: string;
  accountId: string;
  /** The API's base URL (e.g. http://127.0.0.1:8700) for StandardOutputUrl; read each time, since the port is known late. */
  endpoint?: () => string | undefined;
  logger?: CommandLogger;
  /** How often timeouts and resends are checked; 0 disables the timer (tests call tick()). Default 1000 ms. */
  tickMs?: number;
  /** A `command` or `cancel` the agent has not answered is sent again after this long. Default 30 s. */
  resendAfterMs?: number;
}

/** Running counts over a command's invocations, kept up to date by change() so no event costs a full pass. */
interface Tally {
  inFlight: number;
  completed: number;
  errors: number;
  deliveryTimedOut: number;
}

interface ActiveCommand {
  record: CommandRecord;
  /** In dispatch order (seq). */
  invocations: InvocationRecord[];
  byInstance: Map<string, InvocationRecord>;
  tally: Tally;
  /** Every invocation before this index is dispatched or final. */
  cursor: number;
}

function tallyOf(invocations: readonly InvocationRecord[]): Tally {
  const tally: Tally = { inFlight: 0, completed: 0, errors: 0, deliveryTimedOut: 0 };
  for (const invocation of invocations) count(tally, invocation, 1);
  return tally;
}

function count(tally: Tally, invocation: InvocationRecord, sign: 1 | -1): void {
  if (isInFlight(invocation)) tally.inFlight += sign;
  if (isTerminalInvocation(invocation.Status)) tally.completed += sign;
  if (countsAgainstMaxErrors(invocation)) tally.errors += sign;
  if (invocation.StatusDetails === 'DeliveryTimedOut') tally.deliveryTimedOut += sign;
}

function activeCommand(record: CommandRecord, invocations: InvocationRecord[]): ActiveCommand {
  return { record, invocations, byInstance: new Map(invocations.map((i) => [i.InstanceId, i])), tally: tallyOf(invocations), cursor: 0 };
}

/** How long an acknowledged command's InProgress may wait for a write of its own (its result's usually takes it first). */
const WRITE_SOON_MS = 100;
/** How many agents' commands (or cancels) a commit sends before the API call that made them is answered (commit()). */
const SENT_BEFORE_ANSWER = 16;

interface Outgoing {
  instanceId: string;
  type: 'command' | 'cancel' | 'result-ack';
  body: CommandBody | CancelBody | ResultAckBody;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStepList(value: unknown): value is StepResultBody[] {
  return Array.isArray(value) && value.every((step) => isRecord(step) && typeof step.name === 'string' && typeof step.status === 'string');
}

export class CommandService {
  private readonly commands: Table<CommandRecord>;
  private readonly invocations: Table<InvocationRecord>;
  private readonly writes = new WriteBehind();
  private writeSoonTimer: NodeJS.Timeout | undefined;
  private readonly active = new Map<string, ActiveCommand>();
  private readonly index = new InvocationIndex();
  private order = new CommandOrder();
  private readonly outputs: OutputStore;
  private readonly logger: CommandLogger;
  private readonly resendAfterMs: number;
  private readonly readyPromise: Promise<void>;
  private markReady: () => void = () => undefined;
  private started = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly options: CommandServiceOptions) {
    this.commands = options.store.table<CommandRecord>(COMMANDS_TABLE);
    this.invocations = options.store.table<InvocationRecord>(INVOCATIONS_TABLE);
    this.outputs = new OutputStore(options.outputsDir);
    this.logger = options.logger ?? SILENT_LOGGER;
    this.resendAfterMs = options.resendAfterMs ?? 30_000;
    this.readyPromise = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------

  /**
   * Reload the unfinished commands and resume them. Every other entry point waits for this, so an agent's
   * result that arrives during a restart is matched against the reloaded state, never taken for unknown.
   */
  async start(): Promise<void> {
    if (this.started) return this.readyPromise;
    this.started = true;
    const records = await this.commands.list();
    const byId = new Map(records.map((record) => [record.CommandId, record]));
    this.order = new CommandOrder(records.map(commandPosition));
    const grouped = new Map<string, InvocationRecord[]>();
    for (const invocation of await this.invocations.list()) {
      const command = byId.get(invocation.CommandId);
      if (!command) {
        // Written by a SendCommand that did not get as far as its command record: never sent, never returned.
        await this.invocations.delete(invocationKey(invocation.CommandId, invocation.InstanceId));
        continue;
      }
      this.index.add(invocation.CommandId, invocation.InstanceId);
      if (isTerminalCommand(command.Status)) continue;
      const list = grouped.get(invocation.CommandId) ?? [];
      list.push(invocation);
      grouped.set(invocation.CommandId, list);
    }
    for (const record of records) {
      if (isTerminalCommand(record.Status)) continue;
      const invocations = (grouped.get(record.CommandId) ?? []).sort((a, b) => a.seq - b.seq);
      this.active.set(record.CommandId, activeCommand(record, invocations));
    }
    this.markReady();
    this.options.registry.onStatusChange((record) => {
      if (!this.stopped && record.PingStatus === 'Online') void this.instanceOnline(record.InstanceId).catch((error: unknown) => this.logger.error({ err: error }, 'resuming commands for an instance failed'));
    });

    const outbox: Outgoing[] = [];
    const now = this.nowIso();
    for (const command of this.active.values()) {
      for (const invocation of command.invocations) this.resend(command, invocation, now, outbox);
    }
    if (this.active.size > 0) this.logger.info({ commands: this.active.size, resent: outbox.length }, 'resumed unfinished commands');
    await this.commit(outbox);
    await this.tick();
    const tickMs = this.options.tickMs ?? 1000;
    if (tickMs > 0) {
      this.timer = setInterval(() => void this.tick().catch((error: unknown) => this.logger.error({ err: error }, 'command timer failed')), tickMs);
      this.timer.unref();
    }
  }

  /** Stop the timer and wait for pending writes. Messages that arrive afterwards are ignored. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.writeSoonTimer);
    await this.ticking?.catch(() => undefined);
    await this.writes.flush();
    await this.whenSent();
  }

  private async ready(): Promise<void> {
    if (!this.started) throw new Error('CommandService.start() has not been called');
    await this.readyPromise;
  }

  // ---- SendCommand ----------------------------------------------------------------------------------------

  /**
   * @param context the call: its caller's policy is what the Parameter Store checks for `{{ssm:...}}` references.
   * @param options.commandId for callers inside the control plane that record the id before sending (maintenance
   *   windows), so that after a restart they find the command again instead of sending it a second time.
   */
  async sendCommand(input: Input, context?: Pick<CallContext, 'caller' | 'requestId' | 'sourceIp'>, options: { commandId?: string } = {}): Promise<{ Command: ReturnType<typeof describeCommand> }> {
    await this.ready();
    if (options.commandId !== undefined && (this.active.has(options.commandId) || (await this.commands.get(options.commandId)))) {
      throw new ApiError('InvalidCommandId', `Command ${options.commandId} already exists`);
    }
    const request = parseSendCommand(input);
    const { registry } = this.options;
    const lookup = (id: string): InstanceRecord | undefined => registry.get(id);
    const instanceIds = request.instanceIds ? resolveInstanceIds(request.instanceIds, lookup) : resolveTargets(request.targets ?? [], registry.all(), lookup);
    const run = await prepareRun(this.options.resolveDocument, request, { caller: context?.caller, resolve: this.options.resolveReference });
    const secrets = this.secretValues(run.secrets);

    const commandId = options.commandId ?? randomUUID();
    const requested = this.options.now();
    const targetCount = instanceIds.length;
    const deliverBy = new Date(requested.getTime() + request.timeoutSeconds * 1000);
    const expiresAfter = new Date(deliverBy.getTime() + run.executionTimeoutSeconds * 1000);
    const record: CommandRecord = {
      CommandId: commandId,
      DocumentName: run.documentName,
      DocumentVersion: run.documentVersion,
      Comment: request.comment,
      RequestedDateTime: requested.toISOString(),
      ExpiresAfter: expiresAfter.toISOString(),
      deliverBy: deliverBy.toISOString(),
      Parameters: request.parameters,
      InstanceIds: request.instanceIds ?? [],
      Targets: request.targets ?? [],
      MaxConcurrency: request.maxConcurrency,
      MaxErrors: request.maxErrors,
      TimeoutSeconds: request.timeoutSeconds,
      maxConcurrency: concurrencyLimit(request.maxConcurrency, targetCount),
      maxErrors: errorLimit(request.maxErrors, targetCount),
      executionTimeoutSeconds: run.executionTimeoutSeconds,
      TargetCount: targetCount,
      CompletedCount: 0,
      ErrorCount: 0,
      DeliveryTimedOutCount: 0,
      Status: 'Pending',
      StatusDetails: 'Pending',
      steps: run.steps,
      // deliverBy lets the agent refuse to start the command late (queued behind others, or delivered late).
      body: { commandId, ...run.body, deliverBy: deliverBy.toISOString() },
    };

    if (targetCount === 0) {
      // SSM's "No Instances In Tag": the command exists, in a final state, and nothing runs.
      record.Status = 'Failed';
      record.StatusDetails = 'NoInstancesInTag';
      record.finishedAt = record.RequestedDateTime;
      await this.commands.put(commandId, record);
      this.order.add(commandPosition(record));
      return { Command: describeCommand(record) };
    }

    const invocations: InvocationRecord[] = instanceIds.map((instanceId, seq) => ({
      CommandId: commandId,
      InstanceId: instanceId,
      seq,
      Status: 'Pending',
      StatusDetails: 'Pending',
      sendCount: 0,
      ResponseCode: -1,
      steps: [],
    }));
    if (secrets) {
      // An instance the registry does not know gets nothing: it ends Undeliverable at dispatch.
      await secrets.sealForEach(
        invocations,
        (invocation) => registry.get(invocation.InstanceId)?.boxPublicKey,
        (invocation, sealed) => (invocation.secrets = sealed),
        (invocation, why) => this.logger.warn({ commandId, instanceId: invocation.InstanceId, err: why }, 'cannot seal secrets to this instance\'s box key; its agent will fail the run'),
      );
      secrets.wipe();
    }
    // Invocations first, the command record last: the record is what makes the command exist after a restart.
    // One flush holds them all, with the first dispatch: the writes start in the order they were marked (a key
    // marked again keeps its place), so the store's journal gets them as one batch, invocations first, and a
    // crash that tears the batch leaves at worst invocations without their command, which start() deletes. The
    // `command` messages go only once that batch is on disk. (Two flushes, one before the command record, cost
    // a second round of fdatasync on every SendCommand.)
    for (const invocation of invocations) this.saveInvocation(invocation);
    const response = describeCommand(record);
    const command = activeCommand(record, invocations);
    this.active.set(commandId, command);
    this.saveCommand(command);
    this.order.add(commandPosition(record));
    const outbox: Outgoing[] = [];
    this.settle(command, outbox);
    await this.commit(outbox);
    const references = describeReferences(run.references);
    this.logger.info({ commandId, document: record.DocumentName, targets: targetCount, maxConcurrency: record.maxConcurrency, maxErrors: record.maxErrors, ...(references.length > 0 ? { references } : {}) }, 'command sent');
    if (references.length > 0 && context) await this.auditReferences(context, commandId, run.references, secrets ? invocations.filter((i) => i.secrets).length : 0);
    return { Command: response };
  }

  /** One audit record per command that read Parameter Store: which parameters, which versions, sealed to how many. */
  private async auditReferences(context: Pick<CallContext, 'caller' | 'requestId' | 'sourceIp'>, commandId: string, references: ReadonlyMap<string, FetchedValue>, sealedTo: number): Promise<void> {
    const { region, accountId } = this.options;
    const arns = [...new Set([...references.values()].map((found) => `arn:aws:ssm:${region}:${accountId}:parameter/${found.name.replace(/^\//, '')}`))];
    const sealed = sealedTo > 0 ? `; SecureString values sealed to ${sealedTo} instance${sealedTo === 1 ? '' : 's'}` : '';
    await this.options
      .audit?.({
        time: this.nowIso(),
        caller: context.caller.arn,
        operation: 'ssm:GetParameters',
        resources: arns,
        source: context.sourceIp,
        requestId: context.requestId,
        outcome: 'success',
        detail: `Parameter Store references of command ${commandId}: ${describeReferences(references).join(', ')}${sealed}`.slice(0, 1000),
      })
      .catch((error: unknown) => this.logger.error({ err: error, commandId }, 'could not write the audit trail'));
  }

  private secretValues(values: ReadonlyMap<string, FetchedValue>): SecretValues | undefined {
    if (values.size === 0) return undefined;
    const { boxSecretKey } = this.options;
    if (boxSecretKey === undefined) {
      throw new ApiError('InvalidParameters', `{{ssm-secure:...}} references (${[...values.keys()].map((reference) => `{{${reference}}}`).join(', ')}) cannot be sent: this control plane has no box key to seal them with`);
    }
    return new SecretValues(values, boxSecretKey);
  }

  /** The `command` message for one invocation: the command's body, with the secrets sealed to that instance. */
  private commandBody(command: ActiveCommand, invocation: InvocationRecord): CommandBody {
    return invocation.secrets === undefined ? command.record.body : { ...command.record.body, secrets: invocation.secrets };
  }

  // ---- agent messages -------------------------------------------------------------------------------------

  /** `command-ack`: the agent persisted the command; the invocation is InProgress (with its steps, when the ack gives them). */
  async onCommandAck(message: Message): Promise<void> {
    await this.ready();
    if (this.stopped) return;
    const body = message.body as Partial<CommandAckBody> | null;
    if (!isRecord(body) || typeof body.commandId !== 'string') {
      this.logger.warn({ from: message.from, id: message.id }, 'malformed command-ack ignored');
      return;
    }
    const found = this.activeInvocation(body.commandId, message.from);
    if (!found) return;
    const { command, invocation } = found;
    if (isTerminalInvocation(invocation.Status)) return;
    const steps = isStepList(body.steps) ? body.steps : undefined;
    this.change(command, invocation, () => {
      this.accepted(invocation);
      if (steps) invocation.steps = steps;
    });
    const outbox: Outgoing[] = [];
    this.settle(command, outbox);
    if (outbox.length > 0) return this.commit(outbox);
    // Nothing waits on this change being on disk: a crash that loses it leaves the invocation as sent, so it is sent
    // again, and the agent acknowledges it as a duplicate. A command's result usually follows within milliseconds and
    // its write takes this change along; otherwise a later write does (writeSoon), and any query waits for it
    // (durable()). Writing it at once put a sync on the disk just as the agent's step and result needed it.
    this.writeSoon();
  }

  /** Writes what is marked a little later, unless a write on someone's path takes it along first. */
  private writeSoon(): void {
    if (this.writeSoonTimer) return;
    this.writeSoonTimer = setTimeout(() => {
      this.writeSoonTimer = undefined;
      this.writes.flush().catch((error: unknown) => this.logger.error({ err: (error as Error)?.message }, 'could not save command state; will retry with the next write'));
    }, WRITE_SOON_MS);
    this.writeSoonTimer.unref();
  }

  /** `command-status`: progress of the steps. */
  async onCommandStatus(message: Message): Promise<void> {
    await this.ready();
    if (this.stopped) return;
    const body = message.body as Partial<CommandStatusBody> | null;
    if (!isRecord(body) || typeof body.commandId !== 'string' || !isStepList(body.steps)) {
      this.logger.warn({ from: message.from, id: message.id }, 'malformed command-status ignored');
      return;
    }
    const found = this.activeInvocation(body.commandId, message.from);
    if (!found) return;
    const { command, invocation } = found;
    if (isTerminalInvocation(invocation.Status)) return;
    const steps = body.steps;
    this.change(command, invocation, () => {
      this.accepted(invocation);
      invocation.steps = steps;
    });
    const outbox: Outgoing[] = [];
    this.settle(command, outbox);
    await this.commit(outbox);
  }

  /**
   * `command-result`: the invocation's final state. Stored, then acknowledged with `result-ack`; a copy of a
   * result already stored (the agent resends until it sees the ack) is acknowledged again and changes nothing.
   * A result for a command that is finished or unknown is acknowledged too, so the agent stops resending it.
   */
  async onCommandResult(message: Message): Promise<void> {
    await this.ready();
    if (this.stopped) return;
    const body = message.body as Partial<CommandResultBody> | null;
    if (!isRecord(body) || typeof body.commandId !== 'string' || typeof body.status !== 'string' || !isStepList(body.steps ?? [])) {
      // Not acknowledged: acknowledging would make the agent drop the only copy of a result we could not read.
      this.logger.error({ from: message.from, id: message.id }, 'malformed command-result: not stored, not acknowledged');
      return;
    }
    const ack: Outgoing = { instanceId: message.from, type: 'result-ack', body: { commandId: body.commandId } satisfies ResultAckBody };
    const found = this.activeInvocation(body.commandId, message.from);
    if (!found) {
      await this.commit([ack]);
      return;
    }
    const { command, invocation } = found;
    const outbox: Outgoing[] = [];
    if (!isTerminalInvocation(invocation.Status)) {
      const { Status, StatusDetails } = statusFromAgentResult(body.status, typeof body.statusDetails === 'string' ? body.statusDetails : undefined);
      const now = this.nowIso();
      this.change(command, invocation, () => {
        invocation.dispatchedAt ??= now;
        invocation.ackedAt ??= now;
        invocation.ResponseCode = typeof body.responseCode === 'number' && Number.isFinite(body.responseCode) ? body.responseCode : -1;
        if (typeof body.startedAt === 'string') invocation.startedAt = body.startedAt;
        if (typeof body.endedAt === 'string') invocation.endedAt = body.endedAt;
        invocation.steps = body.steps ?? [];
      });
      this.finish(command, invocation, Status, StatusDetails);
      this.settle(command, outbox);
    } else if (invocation.StatusDetails !== body.status && invocation.Status !== body.status) {
      this.logger.info({ commandId: body.commandId, instanceId: message.from, recorded: invocation.StatusDetails, reported: body.status }, 'late result for a finished invocation: acknowledged, not recorded');
    }
    outbox.push(ack);
    await this.commit(outbox);
  }

  // ---- CancelCommand --------------------------------------------------------------------------------------

  async cancelCommand(commandId: string, instanceIds?: string[]): Promise<void> {
    await this.ready();
    const command = this.active.get(commandId);
    if (!command || isTerminalCommand(command.record.Status)) {
      const stored = command?.record ?? (await this.commands.get(commandId));
      if (!stored) throw new ApiError('InvalidCommandId', `Command ${commandId} does not exist`);
      throw new ApiError('InvalidCommandId', `Command ${commandId} has already finished (${stored.StatusDetails}); there is nothing left to cancel`);
    }
    let selected = command.invocations;
    if (instanceIds !== undefined && instanceIds.length > 0) {
      const seen = new Set<string>();
      for (const id of instanceIds) {
        if (seen.has(id)) throw new ApiError('DuplicateInstanceId', `Instance ${id} appears more than once in InstanceIds`);
        seen.add(id);
      }
      const unknown = instanceIds.filter((id) => !command.byInstance.has(id));
      if (unknown.length > 0) throw new ApiError('InvalidInstanceId', `Command ${commandId} was not sent to [${unknown.join(', ')}]`);
      selected = instanceIds.map((id) => command.byInstance.get(id)!);
    } else {
      command.record.cancelRequestedAt = this.nowIso();
      command.record.Status = 'Cancelling';
      command.record.StatusDetails = 'Cancelling';
    }
    const outbox: Outgoing[] = [];
    const now = this.nowIso();
    for (const invocation of selected) {
      if (isTerminalInvocation(invocation.Status) || invocation.Status === 'Cancelling') continue;
      if (invocation.dispatchedAt === undefined) {
        this.finish(command, invocation, 'Cancelled', 'Cancelled');
        continue;
      }
      this.change(command, invocation, () => {
        invocation.Status = 'Cancelling';
        invocation.StatusDetails = 'Cancelling';
        invocation.cancelRequestedAt = now;
      });
      outbox.push({ instanceId: invocation.InstanceId, type: 'cancel', body: { commandId } satisfies CancelBody });
    }
    this.settle(command, outbox);
    await this.commit(outbox);
    this.logger.info({ commandId, instances: instanceIds ?? 'all' }, 'command cancel requested');
  }

  // ---- timers ---------------------------------------------------------------------------------------------

  /**
   * Delivery timeouts (not accepted by RequestedDateTime + TimeoutSeconds), total timeouts (no final answer by
   * ExpiresAfter), resends of unanswered `command` / `cancel` messages, and dispatch to instances that came back.
   * Runs on the service's timer; tests call it after moving their clock.
   */
  async tick(): Promise<void> {
    await this.ready();
    if (this.ticking) return this.ticking;
    const run = (async () => {
      const now = this.options.now();
      const nowIso = now.toISOString();
      const outbox: Outgoing[] = [];
      for (const command of this.active.values()) {
        if (isTerminalCommand(command.record.Status)) continue;
        const deliverBy = Date.parse(command.record.deliverBy);
        const expires = Date.parse(command.record.ExpiresAfter);
        for (const invocation of command.invocations) {
          if (isTerminalInvocation(invocation.Status)) continue;
          if (now.getTime() >= expires) {
            // SSM's total timeout: no final answer in time. A cancel that was never answered counts as done.
            if (invocation.Status === 'Cancelling') this.finish(command, invocation, 'Cancelled', 'Cancelled');
            else this.finish(command, invocation, 'TimedOut', 'DeliveryTimedOut');
          } else if (now.getTime() >= deliverBy && invocation.ackedAt === undefined && invocation.Status !== 'Cancelling') {
            // Not accepted by the host in time: it must not run. If it was sent, tell the agent in case it arrives late.
            if (invocation.dispatchedAt !== undefined) outbox.push({ instanceId: invocation.InstanceId, type: 'cancel', body: { commandId: invocation.CommandId } });
            this.finish(command, invocation, 'TimedOut', 'DeliveryTimedOut');
          } else {
            const last = Date.parse((invocation.Status === 'Cancelling' ? invocation.cancelRequestedAt : invocation.lastSentAt) ?? nowIso);
            if (now.getTime() - last >= this.resendAfterMs) this.resend(command, invocation, nowIso, outbox);
          }
        }
        this.settle(command, outbox);
      }
      await this.commit(outbox);
    })();
    this.ticking = run;
    try {
      await run;
    } finally {
      this.ticking = undefined;
    }
  }

  /** An instance came back: resend what it has not answered and dispatch what was waiting for it. */
  private async instanceOnline(instanceId: string): Promise<void> {
    await this.ready();
    const outbox: Outgoing[] = [];
    const now = this.nowIso();
    for (const command of this.active.values()) {
      const invocation = command.byInstance.get(instanceId);
      if (!invocation || isTerminalInvocation(invocation.Status) || isTerminalCommand(command.record.Status)) continue;
      this.resend(command, invocation, now, outbox);
      this.settle(command, outbox);
    }
    await this.commit(outbox);
  }

  // ---- queries --------------------------------------------------------------------------------------------
  // Queries answer from memory, but only once the changes they could see are in the store: a status shown to a
  // caller (Success, say) is one that a crash cannot take back. With nothing waiting to be written this is free;
  // otherwise it waits for the write round under way, which a result starts at once.

  /** Resolves once every change made so far is durable. */
  private async durable(): Promise<void> {
    await this.ready();
    await this.writes.flush();
  }

  /** A command, live if it is running. */
  async getCommand(commandId: string): Promise<CommandRecord | undefined> {
    await this.durable();
    return this.active.get(commandId)?.record ?? (await this.commands.get(commandId));
  }

  /** Whether this service still runs the command (retention never prunes one it does). */
  isRunning(commandId: string): boolean {
    return this.active.has(commandId);
  }

  /**
   * Every command in listing order (newest first), from `from` on (CommandOrder.newestFirst) or from the newest; live
   * ones as they are now, shared: to read, not to change. Reads only the rows it yields.
   */
  async *commandsInOrder(from?: { position: CommandPosition; inclusive: boolean }): AsyncGenerator<DeepReadonly<CommandRecord>> {
    await this.durable();
    for (const id of this.order.newestFirst(from)) {
      const record = this.active.get(id)?.record ?? (await this.commands.read(id));
      if (record) yield record;
    }
  }

  /** A command as it is now, shared: to read, not to change. */
  async readCommand(commandId: string): Promise<DeepReadonly<CommandRecord> | undefined> {
    await this.durable();
    return this.active.get(commandId)?.record ?? (await this.commands.read(commandId));
  }

  /**
   * The invocations of one command, of one instance, of one command on one instance, or of every command (live ones
   * as they are now), in dispatch order; shared: to read, not to change. All but the last read only their own rows.
   */
  async listInvocations(commandId?: string, instanceId?: string): Promise<Array<DeepReadonly<InvocationRecord>>> {
    await this.durable();
    let found: Array<DeepReadonly<InvocationRecord> | undefined>;
    if (commandId !== undefined) {
      const instances = instanceId === undefined ? [...this.index.instancesOf(commandId)] : [instanceId];
      found = await Promise.all(instances.map((instance) => this.readInvocation(commandId, instance)));
    } else if (instanceId !== undefined) {
      found = await Promise.all([...this.index.commandsOn(instanceId)].map((command) => this.readInvocation(command, instanceId)));
    } else {
      found = (await this.invocations.readAll()).map((invocation) => this.active.get(invocation.CommandId)?.byInstance.get(invocation.InstanceId) ?? invocation);
    }
    return found.filter((invocation) => invocation !== undefined).sort((a, b) => a.seq - b.seq);
  }

  /** Retention removed these commands and their invocations. */
  forgetCommands(commandIds: ReadonlySet<string>): void {
    this.index.forget(commandIds);
    this.order.forget(commandIds);
  }

  private async readInvocation(commandId: string, instanceId: string): Promise<DeepReadonly<InvocationRecord> | undefined> {
    const live = this.active.get(commandId);
    return live ? live.byInstance.get(instanceId) : await this.invocations.read(invocationKey(commandId, instanceId));
  }

  async getInvocation(commandId: string, instanceId: string): Promise<{ command: CommandRecord; invocation: InvocationRecord } | undefined> {
    await this.durable();
    const live = this.active.get(commandId);
    if (live) {
      const invocation = live.byInstance.get(instanceId);
      return invocation ? { command: live.record, invocation } : undefined;
    }
    const command = await this.commands.get(commandId);
    const invocation = command ? await this.invocations.get(invocationKey(commandId, instanceId)) : undefined;
    return command && invocation ? { command, invocation } : undefined;
  }

  /** How invocations are described: instance names and full-output URLs. */
  get viewContext(): InvocationViewContext {
    return {
      instanceName: (id) => {
        const record = this.options.registry.get(id);
        return record?.info?.ComputerName ?? record?.Name ?? '';
      },
      outputUrl: (invocation, step, stream) => `${this.options.endpoint?.() ?? ''}${outputUploadPath(invocation.CommandId, invocation.InstanceId, step, stream)}`,
    };
  }

  now(): Date {
    return this.options.now();
  }

  // ---- full outputs ---------------------------------------------------------------------------------------

  /**
   * The full output of one step's stream: the uploaded file, or, when the agent reported the whole of it in
   * its preview (small outputs are not uploaded), that preview.
   */
  async readOutput(commandId: string, instanceId: string, step: string, stream: OutputStream): Promise<Buffer> {
    const found = await this.getInvocation(commandId, instanceId);
    if (!found) throw new ApiError('InvocationDoesNotExist', `Command ${commandId} has no invocation on ${instanceId}`);
    const { command, invocation } = found;
    if (!command.steps.some((ref) => ref.name === step)) {
      throw new ApiError('InvalidPluginName', `Document ${command.DocumentName} has no step ${JSON.stringify(step)}; its steps are ${command.steps.map((ref) => ref.name).join(', ')}`);
    }
    const file = await this.outputs.read(commandId, instanceId, step, stream);
    if (file) return file;
    const reported = invocation.steps.find((candidate) => candidate.name === step)?.[stream];
    if (reported && typeof reported.preview === 'string' && Buffer.byteLength(reported.preview, 'utf8') === reported.bytes) return Buffer.from(reported.preview, 'utf8');
    if (!reported && isTerminalInvocation(invocation.Status)) return Buffer.alloc(0);
    const why = reported
      ? `the agent reported ${reported.bytes} bytes and has not uploaded them yet`
      : 'the step has not reported any output yet';
    throw new ApiError('OutputNotAvailable', `The full ${stream} of step ${step} on ${instanceId} is not available: ${why}`, 404);
  }

  /** `PUT /tender/v1/outputs/<commandId>/<instanceId>/<step>/<stdout|stderr>`, signed by the instance's key. */
  handleOutputUpload = (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> =>
    handleOutputUpload(
      {
        now: this.options.now,
        publicKeyOf: (instanceId) => this.options.registry.get(instanceId)?.publicKey,
        stepsOf: async (commandId, instanceId) => {
          const found = await this.getInvocation(commandId, instanceId);
          return found?.command.steps.map((ref) => ref.name);
        },
        outputs: this.outputs,
        logger: this.logger,
      },
      req,
      res,
      body,
    );

  // ---- the state machine ----------------------------------------------------------------------------------

  private nowIso(): string {
    return this.options.now().toISOString();
  }

  private activeInvocation(commandId: string, instanceId: string): { command: ActiveCommand; invocation: InvocationRecord } | undefined {
    const command = this.active.get(commandId);
    const invocation = command?.byInstance.get(instanceId);
    return command && invocation ? { command, invocation } : undefined;
  }

  private saveInvocation(invocation: InvocationRecord): void {
    const key = invocationKey(invocation.CommandId, invocation.InstanceId);
    this.index.add(invocation.CommandId, invocation.InstanceId);
    this.writes.mark(`i/${key}`, () => this.invocations.put(key, invocation));
  }

  private saveCommand(command: ActiveCommand): void {
    const { record } = command;
    this.writes.mark(`c/${record.CommandId}`, () => this.commands.put(record.CommandId, record));
  }

  /** RequestedDateTime + TimeoutSeconds has passed: what the agent has not accepted must not start any more. */
  private pastDeliveryDeadline(command: ActiveCommand, nowIso: string): boolean {
    return Date.parse(nowIso) >= Date.parse(command.record.deliverBy);
  }

  /** The agent has the command (ack, progress): InProgress, unless a cancel is under way. */
  private accepted(invocation: InvocationRecord): void {
    const now = this.nowIso();
    invocation.dispatchedAt ??= now;
    invocation.ackedAt ??= now;
    // The agent has the command on disk and it is never sent again: its sealed secrets need not be kept here.
    delete invocation.secrets;
    if (invocation.Status === 'Pending' || invocation.Status === 'Delayed') {
      invocation.Status = 'InProgress';
      invocation.StatusDetails = 'InProgress';
    }
  }

  /** Every change to an invocation goes through here: it keeps the command's tally right and marks the record. */
  private change(command: ActiveCommand, invocation: InvocationRecord, mutate: () => void): void {
    count(command.tally, invocation, -1);
    mutate();
    count(command.tally, invocation, 1);
    this.saveInvocation(invocation);
  }

  private finish(command: ActiveCommand, invocation: InvocationRecord, status: InvocationStatus, details: string): void {
    const now = this.nowIso();
    this.change(command, invocation, () => {
      invocation.Status = status;
      invocation.StatusDetails = details;
      invocation.finishedAt = now;
      delete invocation.secrets;
    });
  }

  /** Send again what the agent has not answered: the `command` if not accepted, the `cancel` if cancelling. */
  private resend(command: ActiveCommand, invocation: InvocationRecord, now: string, outbox: Outgoing[]): void {
    if (invocation.dispatchedAt === undefined || isTerminalInvocation(invocation.Status)) return;
    // Past the delivery deadline an unaccepted command must not run: tick() ends it and sends a cancel instead.
    if (invocation.ackedAt === undefined && invocation.Status !== 'Cancelling' && this.pastDeliveryDeadline(command, now)) return;
    if (this.options.registry.get(invocation.InstanceId)?.PingStatus !== 'Online') return;
    if (invocation.Status === 'Cancelling') {
      invocation.cancelRequestedAt = now;
      outbox.push({ instanceId: invocation.InstanceId, type: 'cancel', body: { commandId: invocation.CommandId } });
    } else if (invocation.ackedAt === undefined) {
      invocation.lastSentAt = now;
      invocation.sendCount += 1;
      outbox.push({ instanceId: invocation.InstanceId, type: 'command', body: this.commandBody(command, invocation) });
    } else {
      return;
    }
    this.saveInvocation(invocation);
  }

  /**
   * After any change: apply MaxErrors, start what the concurrency limit allows, update the counts, and close
   * the command when every invocation is final.
   */
  private settle(command: ActiveCommand, outbox: Outgoing[]): void {
    const { record, tally } = command;
    if (isTerminalCommand(record.Status)) return;
    if (record.stoppedAt === undefined && tally.errors > record.maxErrors) {
      // SSM: "the system stops sending the command to additional targets"; those end Terminated.
      record.stoppedAt = this.nowIso();
      for (const invocation of command.invocations.slice(command.cursor)) {
        if (invocation.dispatchedAt === undefined && !isTerminalInvocation(invocation.Status)) this.finish(command, invocation, 'Cancelled', 'Terminated');
      }
      this.logger.info({ commandId: record.CommandId, errors: tally.errors, maxErrors: record.maxErrors }, 'MaxErrors exceeded: dispatch stopped');
    }
    this.dispatch(command, outbox);
    record.CompletedCount = tally.completed;
    record.ErrorCount = tally.errors;
    record.DeliveryTimedOutCount = tally.deliveryTimedOut;
    if (tally.completed === command.invocations.length) {
      const final = finalCommandStatus(command.invocations, { maxErrors: record.maxErrors, cancelled: record.cancelRequestedAt !== undefined });
      record.Status = final.Status;
      record.StatusDetails = final.StatusDetails;
      record.finishedAt = this.nowIso();
      this.logger.info({ commandId: record.CommandId, status: record.Status, details: record.StatusDetails }, 'command finished');
    }
    this.saveCommand(command);
  }

  /** Start invocations in order while fewer than MaxConcurrency are in flight. */
  private dispatch(command: ActiveCommand, outbox: Outgoing[]): void {
    const { record, tally, invocations } = command;
    if (record.cancelRequestedAt !== undefined || record.stoppedAt !== undefined) return;
    const settled = (invocation: InvocationRecord): boolean => invocation.dispatchedAt !== undefined || isTerminalInvocation(invocation.Status);
    while (command.cursor < invocations.length && settled(invocations[command.cursor]!)) command.cursor += 1;
    const now = this.nowIso();
    const late = this.pastDeliveryDeadline(command, now);
    for (let index = command.cursor; index < invocations.length && tally.inFlight < record.maxConcurrency; index += 1) {
      const invocation = invocations[index]!;
      if (settled(invocation)) continue;
      if (late) {
        // A slot freed after the deadline (a result came in before the timer ran): too late to start this one.
        this.finish(command, invocation, 'TimedOut', 'DeliveryTimedOut');
        continue;
      }
      const instance = this.options.registry.get(invocation.InstanceId);
      if (!instance) {
        this.finish(command, invocation, 'Failed', 'Undeliverable');
        continue;
      }
      if (instance.PingStatus !== 'Online') {
        if (invocation.Status !== 'Delayed') {
          this.change(command, invocation, () => {
            invocation.Status = 'Delayed';
            invocation.StatusDetails = 'Delayed';
          });
        }
        continue;
      }
      this.change(command, invocation, () => {
        invocation.dispatchedAt = now;
        invocation.lastSentAt = now;
        invocation.sendCount += 1;
        invocation.Status = 'Pending';
        invocation.StatusDetails = 'Pending';
      });
      outbox.push({ instanceId: invocation.InstanceId, type: 'command', body: this.commandBody(command, invocation) });
      if (record.Status === 'Pending') {
        record.Status = 'InProgress';
        record.StatusDetails = 'InProgress';
      }
    }
  }

  /**
   * Make the changes durable, then start sending what depends on them, then forget finished commands. Sends are
   * not awaited: a broker outage must not hold up the API or the agents' handlers; the records say what is owed
   * and the timer resends unanswered commands and cancels (the agent resends its results).
   */
  private async commit(outbox: Outgoing[]): Promise<void> {
    // Commands already final now had their final record marked before this flush, so it is in the store after it.
    const finished = [...this.active].filter(([, command]) => isTerminalCommand(command.record.Status)).map(([id]) => id);
    await this.writes.flush();
    for (const id of finished) this.active.delete(id);
    // When each message goes:
    // - commands and cancels for the first few agents at once, before the API call that made them is answered: an
    //   agent waits for them, and the caller waits only for so few signatures;
    // - the rest of a fan-out, and result-acks (which only let an agent clear its spool), a millisecond later, after
    //   what the same store write released has been answered: the API call (SendCommand to a thousand instances
    //   does not wait for a thousand signatures), or the GetCommandInvocation that was waiting to show a result.
    //   Not one tick later: an API answer waits for its audit record, which is written from the check phase.
    let later: Promise<unknown> | undefined;
    let immediate = 0;
    for (const message of outbox) {
      const send = () => this.options.send(message.instanceId, message.type, message.body);
      let attempt: Promise<unknown>;
      try {
        if (message.type !== 'result-ack' && immediate++ < SENT_BEFORE_ANSWER) attempt = send();
        else attempt = (later ??= new Promise((resolve) => setTimeout(resolve, 1))).then(send);
      } catch (error) {
        attempt = Promise.reject(error);
      }
      const sending = attempt
        .then(
          () => undefined,
          (error: unknown) => this.logger.warn({ err: (error as Error)?.message, instanceId: message.instanceId, type: message.type }, 'could not send to the agent; will retry'),
        )
        .finally(() => this.sending.delete(sending));
      this.sending.add(sending);
    }
  }

  /** Resolves when every message handed to the gateway so far has been sent (or has failed). */
  async whenSent(): Promise<void> {
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }
}
