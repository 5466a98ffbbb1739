/**
 * Association executions on the control plane: the agents' run reports (`association-status`, resent until
 * `association-status-ack`), StartAssociationsOnce, UpdateAssociationStatus, and what they change on the
 * association record (Overview, LastExecutionDate, LastSuccessfulExecutionDate) and in compliance.
 *
 * A message's reports are stored in one burst: every check and read first, then all writes at once (runs,
 * executions, instance statuses, association records, compliance), then the acknowledgement. A runId already
 * stored is acknowledged again and changes nothing; a report that is malformed is neither stored nor
 * acknowledged (the agent keeps it); one for an association since deleted is acknowledged and dropped.
 *
 * An instance may report only what it could have run: an association whose targets take it in now, or one that
 * was in a set delivered to it (AssociationDelivery.wasDelivered, which also remembers recent removals, so runs
 * done offline before a removal still count); a run-now report must name an execution StartAssociationsOnce
 * sent to that instance. Any other report is refused: acknowledged (so the agent drops it), counted, audited
 * with the instance and association, and nothing of it stored.
 */
import { randomUUID } from 'node:crypto';
import type { AssociationRunNowBody, AssociationRunReport, AssociationStatusAckBody, AssociationStatusBody, Message } from '@tender/protocol';
import { byNewestFirst, ordinal, type TimePosition } from '../api/pagination.js';
import { ApiError, constraintViolations } from '../api/errors.js';
import type { AuditEvent } from '../audit/audit-record.js';
import { SILENT_LOGGER, type CommandLogger } from '../commands/command-logger.js';
import { concurrencyLimit, errorLimit } from '../commands/rate-controls.js';
import type { ComplianceRecorder } from '../compliance/compliance-recorder.js';
import type { InstanceRegistry } from '../instances/instance-registry.js';
import { KeyedSets } from '../store/keyed-sets.js';
import type { DeepReadonly, Store, Table } from '../store/store.js';
import { associationNotFound } from './association-errors.js';
import { ASSOCIATION_ID } from './association-input.js';
import { complianceOf } from './association-compliance.js';
import { currentVersion, type AssociationOutcome, type AssociationRecord } from './association-records.js';
import type { AssociationService } from './association-service.js';
import { targetsMatch } from './association-targets.js';
import {
  EXECUTION_TARGETS_TABLE,
  executionTargetKey,
  EXECUTIONS_TABLE,
  INSTANCE_STATUS_TABLE,
  instanceStatusKey,
  isFailure,
  RUNS_TABLE,
  scheduledExecutionId,
  type AssociationExecutionRecord,
  type ExecutionTargetRecord,
  type InstanceAssociationStatusRecord,
  type RunRecord,
} from './execution-records.js';

export interface AssociationExecutionsOptions {
  store: Store;
  associations: AssociationService;
  registry: Pick<InstanceRegistry, 'get' | 'all'>;
  send: (instanceId: string, type: string, body: unknown) => Promise<unknown>;
  /** Where association results become compliance items (type Association). Absent: not recorded. */
  compliance?: ComplianceRecorder;
  /** Whether this association was in a set delivered to this instance (AssociationDelivery.wasDelivered). */
  wasDelivered: (instanceId: string, associationId: string) => boolean;
  /** Where refused reports are recorded. */
  audit?: (event: AuditEvent) => Promise<unknown>;
  now: () => Date;
  logger?: CommandLogger;
}

/**
 * A StartAssociationsOnce execution still sending: `association-run-now` goes to at most maxConcurrency hosts at
 * a time, the next as each one reports; after more than maxErrors failures the hosts not yet asked end
 * Cancelled/Terminated (as Run Command's invocations do when MaxErrors stops dispatch). Held in memory, and
 * rebuilt at start from the hosts' rows (each row records when its host was asked): see resumeRunNow.
 */
interface RunNowDispatch {
  associationId: string;
  executionId: string;
  /** Hosts not yet asked, in order. */
  unsent: Set<string>;
  inFlight: Set<string>;
  errors: number;
  maxConcurrency: number;
  maxErrors: number;
}

/** What a host that was never asked because MaxErrors stopped the execution shows (Run Command's choice). */
const NOT_RUN = { Status: 'Cancelled', DetailedStatus: 'Terminated' } as const;

/** What DescribeAssociationExecutions can filter on before reading an execution. */
export type IndexedExecution = Pick<AssociationExecutionRecord, 'ExecutionId' | 'CreatedTime'>;

/** Where an execution stands in DescribeAssociationExecutions: newest first, ties by ExecutionId. */
export function executionPosition(execution: IndexedExecution): TimePosition {
  return { t: execution.CreatedTime, id: execution.ExecutionId };
}

/** The audit trail's name for an agent's association report. */
export const AGENT_ASSOCIATION_STATUS = 'agent:ReportAssociationStatus';

const STATUSES: ReadonlySet<string> = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled', 'Skipped']);
const TRIGGERS: ReadonlySet<string> = new Set(['apply', 'schedule', 'run-now']);
const EXECUTION_ID = new RegExp(`^${ASSOCIATION_ID.source}$`);
const isDate = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** A report this control plane can store; anything else stays with the agent. */
function isReport(value: unknown): value is AssociationRunReport {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.runId === 'string' && r.runId.length > 0 && r.runId.length <= 128 &&
    typeof r.associationId === 'string' && typeof r.associationVersion === 'string' &&
    typeof r.trigger === 'string' && TRIGGERS.has(r.trigger) &&
    isDate(r.scheduledAt) && isDate(r.endedAt) &&
    typeof r.status === 'string' && STATUSES.has(r.status) &&
    (r.executionId === undefined || (typeof r.executionId === 'string' && EXECUTION_ID.test(r.executionId)))
  );
}

/** What a report says on one line (SSM's ExecutionSummary, e.g. "1 out of 1 plugin processed, 1 success"). */
function summaryOf(report: AssociationRunReport): string {
  const steps = report.steps ?? [];
  const ok = steps.filter((step) => step.status === 'Success').length;
  const failed = steps.filter((step) => isFailure(step.status)).length;
  const parts = [`${ok} success`, ...(failed > 0 ? [`${failed} failed`] : [])];
  return `${steps.length} out of ${steps.length} plugin${steps.length === 1 ? '' : 's'} processed, ${parts.join(', ')}`.slice(0, 512);
}

export class AssociationExecutions {
  private readonly runs: Table<RunRecord>;
  private readonly executions: Table<AssociationExecutionRecord>;
  private readonly targets: Table<ExecutionTargetRecord>;
  /** One message per instance at a time: a resent copy never races the first over the same rows. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly statuses: Table<InstanceAssociationStatusRecord>;
  /** Per association, each instance's latest status: the Overview's counts without reading the table. */
  private readonly latest = new Map<string, Map<string, InstanceAssociationStatusRecord>>();
  private readonly logger: CommandLogger;
  /** Reports refused since start: from an instance the association was never for (see the top of this file). */
  refusedReports = 0;
  /**
   * Per association, its executions' ids and CreatedTime: DescribeAssociationExecutions reads only the executions
   * of the association asked about (and, without a Status filter, only the page it returns).
   */
  private readonly byAssociation = new Map<string, Map<string, string>>();
  /**
   * Per execution, the instances it has a row for: DescribeAssociationExecutionTargets reads that execution's rows,
   * not the whole table (an association on a thousand hosts every half hour adds tens of thousands of rows a day).
   */
  private readonly targetsByExecution = new KeyedSets();
  /** Run-now executions still sending, by execution id. */
  private readonly dispatches = new Map<string, RunNowDispatch>();

  constructor(private readonly options: AssociationExecutionsOptions) {
    this.runs = options.store.table<RunRecord>(RUNS_TABLE);
    this.executions = options.store.table<AssociationExecutionRecord>(EXECUTIONS_TABLE);
    this.targets = options.store.table<ExecutionTargetRecord>(EXECUTION_TARGETS_TABLE);
    this.statuses = options.store.table<InstanceAssociationStatusRecord>(INSTANCE_STATUS_TABLE);
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  async start(): Promise<void> {
    for (const status of await this.statuses.list()) this.remember(status);
    const executions = await this.executions.readAll();
    for (const execution of executions) this.indexExecution(execution);
    for (const row of await this.targets.readAll()) this.targetsByExecution.add(row.ExecutionId, row.ResourceId);
    await this.resumeRunNow(executions);
    // A deleted association's results go with it (its executions stay stored, but cannot be asked for).
    this.options.associations.onChange((before, after) => {
      if (before && !after) void this.forget(before.AssociationId).catch((error: unknown) => this.logger.error({ err: error }, 'could not forget a deleted association\'s statuses'));
    });
  }

  // ---- the agents' reports --------------------------------------------------------------------------------

  /** `association-status`: store the reports (idempotently by runId), then acknowledge them. */
  async onStatus(message: Message): Promise<void> {
    const body = message.body as Partial<AssociationStatusBody> | null;
    const instanceId = message.from;
    if (!Array.isArray(body?.reports)) {
      this.logger.warn({ from: instanceId, id: message.id }, 'malformed association-status ignored');
      return;
    }
    const valid = body.reports.filter(isReport);
    if (valid.length < body.reports.length) this.logger.warn({ from: instanceId, malformed: body.reports.length - valid.length }, 'malformed association reports: not stored, not acknowledged');
    const previous = this.chains.get(instanceId) ?? Promise.resolve();
    const stored = previous.catch(() => undefined).then(() => this.store(instanceId, valid));
    this.chains.set(instanceId, stored);
    let acked: string[];
    try {
      acked = await stored;
    } finally {
      if (this.chains.get(instanceId) === stored) this.chains.delete(instanceId);
    }
    if (acked.length > 0) await this.options.send(instanceId, 'association-status-ack', { runIds: acked } satisfies AssociationStatusAckBody);
  }

  /** Store reports from one instance as one burst; returns the runIds to acknowledge. */
  async store(instanceId: string, reports: readonly AssociationRunReport[]): Promise<string[]> {
    const acked: string[] = [];
    const fresh: AssociationRunReport[] = [];
    const seen = new Set<string>();
    for (const report of reports) {
      if (seen.has(report.runId)) continue;
      seen.add(report.runId);
      acked.push(report.runId);
      if (!(await this.runs.read(report.runId))) fresh.push(report);
    }
    if (fresh.length === 0) return acked;

    const records = new Map<string, AssociationRecord | undefined>();
    const writes: Array<Promise<unknown>> = [];
    const byExecution = new Map<string, AssociationRunReport[]>();
    const touched = new Set<string>();
    for (const report of fresh) {
      if (!records.has(report.associationId)) records.set(report.associationId, (await this.options.associations.get(report.associationId).catch(() => undefined)));
      const record = records.get(report.associationId);
      if (!record) {
        this.logger.info({ instanceId, associationId: report.associationId, runId: report.runId }, 'report for an association that no longer exists: acknowledged, dropped');
        continue;
      }
      const refusal = await this.refusal(instanceId, record, report);
      if (refusal) {
        await this.refuse(instanceId, report, refusal);
        continue;
      }
      const executionId = report.trigger === 'run-now' ? report.executionId! : scheduledExecutionId(report.associationId, report.associationVersion, report.scheduledAt);
      byExecution.set(executionId, [...(byExecution.get(executionId) ?? []), report]);
      writes.push(this.runs.put(report.runId, { runId: report.runId, ExecutionId: executionId, InstanceId: instanceId }));
      const status = this.statusOf(instanceId, record, report);
      if (status) {
        this.remember(status);
        touched.add(record.AssociationId);
        writes.push(this.statuses.put(instanceStatusKey(instanceId, record.AssociationId), status));
      }
      const compliance = this.options.compliance;
      const write = complianceOf(instanceId, record, report, executionId);
      if (compliance && write) writes.push(compliance.put(write).catch((error: unknown) => this.logger.error({ err: (error as Error).message, instanceId, associationId: record.AssociationId }, 'could not record the association\'s compliance')));
    }
    for (const [executionId, group] of byExecution) writes.push(this.mergeExecution(executionId, instanceId, group));
    for (const associationId of touched) writes.push(this.options.associations.recordOutcome(associationId, (record) => this.outcome(record)));
    await Promise.all(writes);
    for (const [executionId, group] of byExecution) {
      const dispatch = this.dispatches.get(executionId);
      if (dispatch) await this.reported(dispatch, instanceId, group.some((report) => isFailure(report.status)));
    }
    return acked;
  }

  /** Why this instance may not report this run, or undefined when it may. */
  private async refusal(instanceId: string, record: AssociationRecord, report: AssociationRunReport): Promise<string | undefined> {
    if (report.trigger === 'run-now') {
      if (!report.executionId) return 'a run-now report without an executionId';
      const [execution, row] = await Promise.all([this.executions.read(report.executionId), this.targets.read(executionTargetKey(report.executionId, instanceId))]);
      if (!execution || execution.AssociationId !== record.AssociationId || !row) return `execution ${report.executionId} was not started for this instance and association`;
      if (row.Status === NOT_RUN.Status && row.DetailedStatus === NOT_RUN.DetailedStatus && !row.runId) return `execution ${report.executionId} stopped (MaxErrors) before this instance was asked`;
      if (this.dispatches.get(report.executionId)?.unsent.has(instanceId)) return `execution ${report.executionId} has not asked this instance yet`;
      return undefined;
    }
    if (this.options.wasDelivered(instanceId, record.AssociationId)) return undefined;
    const instance = this.options.registry.get(instanceId);
    if (instance && targetsMatch(currentVersion(record).Targets, instance)) return undefined;
    return 'the association does not target this instance and was never delivered to it';
  }

  private async refuse(instanceId: string, report: AssociationRunReport, reason: string): Promise<void> {
    this.refusedReports += 1;
    this.logger.warn({ instanceId, associationId: report.associationId, runId: report.runId, reason }, 'association report refused: acknowledged, not stored');
    await this.options
      .audit?.({ time: this.options.now().toISOString(), caller: `agent:${instanceId}`, operation: AGENT_ASSOCIATION_STATUS, resources: [`association/${report.associationId}`], source: 'mqtt', outcome: 'denied', errorCode: 'AccessDenied', detail: `report ${report.runId.slice(0, 128)} refused: ${reason}` })
      .catch((error: unknown) => this.logger.error({ err: (error as Error)?.message, instanceId }, 'could not audit a refused association report'));
  }

  /** The host's row of the execution (its latest report wins) and the execution's counts. */
  private async mergeExecution(executionId: string, instanceId: string, reports: AssociationRunReport[]): Promise<void> {
    const report = reports.reduce((latest, candidate) => (candidate.endedAt > latest.endedAt ? candidate : latest));
    const key = executionTargetKey(executionId, instanceId);
    const previous = await this.targets.read(key);
    if (previous && previous.LastExecutionDate > report.endedAt) return;
    const row: ExecutionTargetRecord = { ExecutionId: executionId, ResourceId: instanceId, Status: report.status, DetailedStatus: report.detailedStatus || report.status, LastExecutionDate: report.endedAt, runId: report.runId };
    // Indexed before the row's write: a listing meanwhile reads the key and finds nothing yet, rather than missing it after.
    this.targetsByExecution.add(executionId, instanceId);
    await Promise.all([
      this.targets.put(key, row),
      this.executions.update(executionId, (current) => {
        const execution: AssociationExecutionRecord = current ?? {
          ExecutionId: executionId,
          AssociationId: report.associationId,
          AssociationVersion: report.associationVersion,
          CreatedTime: report.scheduledAt,
          trigger: report.trigger,
          counts: {},
        };
        this.indexExecution(execution);
        const counts = { ...execution.counts };
        if (previous) counts[previous.Status] = Math.max(0, (counts[previous.Status] ?? 0) - 1);
        counts[row.Status] = (counts[row.Status] ?? 0) + 1;
        const last = !execution.LastExecutionDate || execution.LastExecutionDate < report.endedAt ? report.endedAt : execution.LastExecutionDate;
        return { ...execution, counts, LastExecutionDate: last };
      }),
    ]);
  }

  /** The instance's new latest status for this association, or undefined when it has a newer one already. */
  private statusOf(instanceId: string, record: AssociationRecord, report: AssociationRunReport): InstanceAssociationStatusRecord | undefined {
    const previous = this.latest.get(record.AssociationId)?.get(instanceId);
    if (previous && previous.ExecutionDate > report.endedAt) return undefined;
    const version = record.versions.find((v) => v.AssociationVersion === report.associationVersion) ?? currentVersion(record);
    const status: InstanceAssociationStatusRecord = {
      InstanceId: instanceId,
      AssociationId: record.AssociationId,
      AssociationVersion: report.associationVersion,
      Name: version.Name,
      DocumentVersion: version.DocumentVersion,
      ExecutionDate: report.endedAt,
      Status: report.status,
      DetailedStatus: report.detailedStatus || report.status,
      ExecutionSummary: summaryOf(report),
      runId: report.runId,
    };
    if (version.AssociationName !== undefined) status.AssociationName = version.AssociationName;
    if (report.status !== 'Success' && report.status !== 'Skipped') status.ErrorCode = String(report.responseCode);
    return status;
  }

  /** Overview, LastExecutionDate, LastSuccessfulExecutionDate from each instance's latest status. */
  private outcome(record: AssociationRecord): AssociationOutcome {
    const counts: Record<string, number> = {};
    let last = record.LastExecutionDate;
    let lastSuccess = record.LastSuccessfulExecutionDate;
    for (const status of this.latest.get(record.AssociationId)?.values() ?? []) {
      counts[status.Status] = (counts[status.Status] ?? 0) + 1;
      if (!last || status.ExecutionDate > last) last = status.ExecutionDate;
      if (status.Status === 'Success' && (!lastSuccess || status.ExecutionDate > lastSuccess)) lastSuccess = status.ExecutionDate;
    }
    const failed = Object.keys(counts).some(isFailure);
    const overall = failed ? 'Failed' : (counts.Success ?? 0) > 0 ? 'Success' : 'Pending';
    return {
      Overview: { Status: overall, DetailedStatus: overall, AssociationStatusAggregatedCount: counts },
      ...(last !== undefined ? { LastExecutionDate: last } : {}),
      ...(lastSuccess !== undefined ? { LastSuccessfulExecutionDate: lastSuccess } : {}),
    };
  }

  private indexExecution(execution: Pick<AssociationExecutionRecord, 'AssociationId' | 'ExecutionId' | 'CreatedTime'>): void {
    let executions = this.byAssociation.get(execution.AssociationId);
    if (!executions) this.byAssociation.set(execution.AssociationId, (executions = new Map()));
    executions.set(execution.ExecutionId, execution.CreatedTime);
  }

  /**
   * Executions retention removed from the store (association-execution-retention.ts): no longer listed. One pass
   * over the index, whatever the number of ids (a prune removes many at once).
   */
  forgetExecutions(executionIds: ReadonlySet<string>): void {
    for (const [associationId, executions] of this.byAssociation) {
      for (const executionId of executions.keys()) if (executionIds.has(executionId)) executions.delete(executionId);
      if (executions.size === 0) this.byAssociation.delete(associationId);
    }
    for (const executionId of executionIds) this.targetsByExecution.delete(executionId);
  }

  private remember(status: InstanceAssociationStatusRecord): void {
    let byInstance = this.latest.get(status.AssociationId);
    if (!byInstance) this.latest.set(status.AssociationId, (byInstance = new Map()));
    byInstance.set(status.InstanceId, status);
  }

  private async forget(associationId: string): Promise<void> {
    this.byAssociation.delete(associationId);
    const byInstance = this.latest.get(associationId);
    this.latest.delete(associationId);
    await Promise.all([...(byInstance?.keys() ?? [])].map((instanceId) => this.statuses.delete(instanceStatusKey(instanceId, associationId))));
  }

  // ---- StartAssociationsOnce ------------------------------------------------------------------------------

  /**
   * Run each association now on every instance its targets take in: one execution each, one message per instance,
   * sent under the association's MaxConcurrency and MaxErrors (see RunNowDispatch).
   */
  async startOnce(associationIds: unknown): Promise<string[]> {
    if (!Array.isArray(associationIds) || associationIds.length === 0 || associationIds.length > 10) {
      throw constraintViolations([{ value: Array.isArray(associationIds) ? `[${associationIds.length} ids]` : String(associationIds), member: 'associationIds', constraint: 'Member must have length between 1 and 10' }]);
    }
    const bad = associationIds.find((id) => typeof id !== 'string' || !EXECUTION_ID.test(id));
    if (bad !== undefined) throw new ApiError('InvalidAssociation', `${JSON.stringify(bad)} is not an association id (a UUID, as CreateAssociation returns)`);
    // Every association must exist before anything is sent (no half-started request).
    const records: AssociationRecord[] = [];
    for (const id of new Set(associationIds as string[])) records.push(await this.options.associations.get(id));
    const now = this.options.now().toISOString();
    const started: string[] = [];
    for (const record of records) {
      const version = currentVersion(record);
      const targets = this.options.registry.all().filter((instance) => targetsMatch(version.Targets, instance)).map((instance) => instance.InstanceId);
      const execution: AssociationExecutionRecord = {
        ExecutionId: randomUUID(),
        AssociationId: record.AssociationId,
        AssociationVersion: version.AssociationVersion,
        CreatedTime: now,
        trigger: 'run-now',
        counts: targets.length > 0 ? { Pending: targets.length } : {},
      };
      // Every host's Pending row and the execution in one burst, before any host is asked to run it.
      for (const instanceId of targets) this.targetsByExecution.add(execution.ExecutionId, instanceId);
      await Promise.all([
        ...targets.map((instanceId) => this.targets.put(executionTargetKey(execution.ExecutionId, instanceId), { ExecutionId: execution.ExecutionId, ResourceId: instanceId, Status: 'Pending', DetailedStatus: 'Pending', LastExecutionDate: '' })),
        this.executions.put(execution.ExecutionId, execution),
      ]);
      this.indexExecution(execution);
      started.push(execution.ExecutionId);
      // Unset, MaxConcurrency and MaxErrors do not hold anything back: every target at once, whatever fails.
      const dispatch: RunNowDispatch = {
        associationId: record.AssociationId,
        executionId: execution.ExecutionId,
        unsent: new Set(targets),
        inFlight: new Set(),
        errors: 0,
        maxConcurrency: version.MaxConcurrency !== undefined ? concurrencyLimit(version.MaxConcurrency, targets.length) : Infinity,
        maxErrors: version.MaxErrors !== undefined ? errorLimit(version.MaxErrors, targets.length) : Infinity,
      };
      if (targets.length > 0) this.dispatches.set(execution.ExecutionId, dispatch);
      await this.sendNext(dispatch);
      this.logger.info({ associationId: record.AssociationId, executionId: execution.ExecutionId, targets: targets.length }, 'association started once');
    }
    return started;
  }

  /** Ask more hosts while the concurrency limit allows; forget the execution once every host was asked and answered. */
  private async sendNext(dispatch: RunNowDispatch): Promise<void> {
    const asking: string[] = [];
    for (const instanceId of dispatch.unsent) {
      if (dispatch.inFlight.size >= dispatch.maxConcurrency) break;
      dispatch.unsent.delete(instanceId);
      dispatch.inFlight.add(instanceId);
      asking.push(instanceId);
    }
    if (dispatch.unsent.size === 0 && dispatch.inFlight.size === 0) this.dispatches.delete(dispatch.executionId);
    if (asking.length === 0) return;
    // Recorded before the messages go, so that after a restart these hosts are known to have been asked: their
    // reports are taken, and they are asked again rather than never (see resumeRunNow).
    const askedAt = this.options.now().toISOString();
    await Promise.all(
      asking.map((instanceId) =>
        this.targets.update(executionTargetKey(dispatch.executionId, instanceId), (row) => (row && row.Status === 'Pending' && !row.askedAt ? { ...row, askedAt } : undefined)),
      ),
    ).catch((error: unknown) => this.logger.error({ err: (error as Error)?.message, executionId: dispatch.executionId }, 'could not record which hosts a run-now execution asked; asking them anyway'));
    this.ask(dispatch, asking);
  }

  private ask(dispatch: RunNowDispatch, instanceIds: readonly string[]): void {
    for (const instanceId of instanceIds) {
      void this.options
        .send(instanceId, 'association-run-now', { associationId: dispatch.associationId, executionId: dispatch.executionId } satisfies AssociationRunNowBody)
        .catch((error: unknown) => this.logger.warn({ err: (error as Error)?.message, instanceId, associationId: dispatch.associationId }, 'could not send association-run-now'));
    }
  }

  /**
   * Run-now executions that a previous process left with hosts still Pending go on: the hosts it had asked are
   * asked again (their message may have been lost with it) and the others in turn, under the same MaxConcurrency
   * and MaxErrors. Asking twice never runs twice: an agent that has the execution (running, queued, or reported
   * but not yet acknowledged) answers a repeat as a duplicate, and a host whose report is stored is not Pending.
   */
  private async resumeRunNow(executions: ReadonlyArray<DeepReadonly<AssociationExecutionRecord>>): Promise<void> {
    const open = new Map(executions.filter((execution) => execution.trigger === 'run-now' && (execution.counts.Pending ?? 0) > 0).map((execution) => [execution.ExecutionId, execution]));
    if (open.size === 0) return;
    for (const [executionId, execution] of open) {
      const record = await this.options.associations.get(execution.AssociationId).catch(() => undefined);
      if (!record) continue; // deleted since: nothing more to ask
      const version = record.versions.find((v) => v.AssociationVersion === execution.AssociationVersion) ?? currentVersion(record);
      const hosts = await this.readTargets(executionId);
      const pending = hosts.filter((row) => row.Status === 'Pending');
      const dispatch: RunNowDispatch = {
        associationId: execution.AssociationId,
        executionId,
        unsent: new Set(pending.filter((row) => !row.askedAt).map((row) => row.ResourceId)),
        inFlight: new Set(pending.filter((row) => row.askedAt).map((row) => row.ResourceId)),
        errors: hosts.filter((row) => isFailure(row.Status)).length,
        maxConcurrency: version.MaxConcurrency !== undefined ? concurrencyLimit(version.MaxConcurrency, hosts.length) : Infinity,
        maxErrors: version.MaxErrors !== undefined ? errorLimit(version.MaxErrors, hosts.length) : Infinity,
      };
      this.dispatches.set(executionId, dispatch);
      this.ask(dispatch, [...dispatch.inFlight]);
      await this.sendNext(dispatch);
      this.logger.info({ associationId: execution.AssociationId, executionId, askedAgain: dispatch.inFlight.size, notYetAsked: dispatch.unsent.size }, 'run-now execution resumed after a restart');
    }
  }

  /** A host of a run-now execution reported: count its failure, stop after MaxErrors, else ask the next host. */
  private async reported(dispatch: RunNowDispatch, instanceId: string, failed: boolean): Promise<void> {
    if (!dispatch.inFlight.delete(instanceId)) return; // a second report of the same host
    if (failed) dispatch.errors += 1;
    if (dispatch.errors > dispatch.maxErrors && dispatch.unsent.size > 0) {
      const skipped = [...dispatch.unsent];
      dispatch.unsent.clear();
      this.logger.info({ associationId: dispatch.associationId, executionId: dispatch.executionId, errors: dispatch.errors, notRun: skipped.length }, 'MaxErrors exceeded: run-now stopped');
      await Promise.all([
        ...skipped.map((host) => this.targets.put(executionTargetKey(dispatch.executionId, host), { ExecutionId: dispatch.executionId, ResourceId: host, ...NOT_RUN, LastExecutionDate: '' })),
        this.executions.update(dispatch.executionId, (current) => {
          if (!current) return current;
          const counts: Record<string, number> = { ...current.counts, Pending: Math.max(0, (current.counts.Pending ?? 0) - skipped.length) };
          counts[NOT_RUN.Status] = (counts[NOT_RUN.Status] ?? 0) + skipped.length;
          return { ...current, counts };
        }),
      ]);
    }
    await this.sendNext(dispatch);
  }

  // ---- UpdateAssociationStatus ----------------------------------------------------------------------------

  /** SSM's UpdateAssociationStatus: set an instance's status for the association of this document that applies to it. */
  async updateStatus(name: string, instanceId: string, status: { Date: Date; Name: string; Message: string; AdditionalInfo?: string }): Promise<AssociationRecord> {
    const instance = this.options.registry.get(instanceId);
    if (!instance) throw new ApiError('InvalidInstanceId', `Instance ${instanceId} is not a registered managed instance of this control plane`);
    const record = (await this.options.associations.matching(instance)).find((candidate) => currentVersion(candidate).Name === name);
    if (!record) throw associationNotFound(`no association of document ${name} applies to ${instanceId}`);
    const previous = this.latest.get(record.AssociationId)?.get(instanceId);
    if (previous && previous.Status === status.Name && previous.ExecutionSummary === status.Message) {
      throw new ApiError('StatusUnchanged', `The association of ${name} on ${instanceId} already has status ${status.Name} with this message`);
    }
    const version = currentVersion(record);
    const next: InstanceAssociationStatusRecord = {
      InstanceId: instanceId,
      AssociationId: record.AssociationId,
      AssociationVersion: version.AssociationVersion,
      Name: version.Name,
      DocumentVersion: version.DocumentVersion,
      ExecutionDate: status.Date.toISOString(),
      Status: status.Name,
      DetailedStatus: status.Name,
      ExecutionSummary: status.Message,
    };
    if (version.AssociationName !== undefined) next.AssociationName = version.AssociationName;
    this.remember(next);
    await this.statuses.put(instanceStatusKey(instanceId, record.AssociationId), next);
    return (await this.options.associations.recordOutcome(record.AssociationId, (current) => this.outcome(current))) ?? record;
  }

  // ---- queries --------------------------------------------------------------------------------------------

  /** An association's executions (id and CreatedTime), newest first; read them with readExecutions. */
  async executionsOf(associationId: string): Promise<IndexedExecution[]> {
    await this.options.associations.get(associationId); // AssociationDoesNotExist
    const found = [...(this.byAssociation.get(associationId) ?? [])].map(([ExecutionId, CreatedTime]) => ({ ExecutionId, CreatedTime }));
    return found.sort(byNewestFirst(executionPosition));
  }

  /** These executions' records, in the same order. */
  async readExecutions(executions: readonly IndexedExecution[]): Promise<AssociationExecutionRecord[]> {
    const records = await Promise.all(executions.map((execution) => this.executions.read(execution.ExecutionId)));
    return records.filter((record) => record !== undefined) as AssociationExecutionRecord[];
  }

  async execution(associationId: string, executionId: string): Promise<AssociationExecutionRecord> {
    await this.options.associations.get(associationId);
    const execution = (await this.executions.read(executionId)) as AssociationExecutionRecord | undefined;
    if (!execution || execution.AssociationId !== associationId) {
      throw new ApiError('AssociationExecutionDoesNotExist', `Association ${associationId} has no execution ${executionId}`);
    }
    return execution;
  }

  /** An execution's hosts, by instance id. */
  async targetsOf(executionId: string): Promise<ExecutionTargetRecord[]> {
    return (await this.readTargets(executionId)) as ExecutionTargetRecord[];
  }

  /** The execution's rows, by instance id; an indexed row not (or no longer) stored is left out. */
  private async readTargets(executionId: string): Promise<Array<DeepReadonly<ExecutionTargetRecord>>> {
    const instanceIds = [...this.targetsByExecution.get(executionId)].sort(ordinal);
    const rows = await Promise.all(instanceIds.map((instanceId) => this.targets.read(executionTargetKey(executionId, instanceId))));
    return rows.filter((row) => row !== undefined);
  }

  /** The latest status of every association on one instance, by association id. */
  async instanceStatuses(instanceId: string): Promise<InstanceAssociationStatusRecord[]> {
    if (!this.options.registry.get(instanceId)) throw new ApiError('InvalidInstanceId', `Instance ${instanceId} is not a registered managed instance of this control plane`);
    const found: InstanceAssociationStatusRecord[] = [];
    for (const byInstance of this.latest.values()) {
      const status = byInstance.get(instanceId);
      if (status) found.push(status);
    }
    return found.sort((a, b) => ordinal(a.AssociationId, b.AssociationId));
  }
}
