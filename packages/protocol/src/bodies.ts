/**
 * The bodies of the message types both halves exchange today. Later capabilities add theirs beside these.
 */
import type { Sealed } from './sealing.js';

/** The host facts an agent reports: SSM's InstanceInformation fields the agent knows, plus a few of Tender's. */
export interface PlatformInfo {
  PlatformType: 'Linux' | 'Windows' | 'MacOS';
  PlatformName: string;
  PlatformVersion: string;
  AgentVersion: string;
  ComputerName: string;
  IPAddress: string;
  Architecture?: string;
  KernelVersion?: string;
}

/**
 * `hello` (on every connection) and `heartbeat` (periodically). `sid` names the connection: a Last Will is
 * honoured only while its `sid` is the one the agent announced last.
 */
export interface PresenceBody {
  sid: string;
  info?: PlatformInfo;
}

/** `will` (published by the broker when the connection dies) and `goodbye` (a clean stop). */
export interface SessionEndBody {
  sid: string;
}

/** `deregistered`: the control plane has revoked this instance. */
export interface DeregisteredBody {
  reason: string;
}

/** `rejection`: an agent refused a message addressed to it (for the control plane's counters and audit). */
export interface RejectionBody {
  reason: string;
  detail: string;
  messageId?: string;
}

// ---- Run Command ----------------------------------------------------------------------------------------

/** `command` (down): run this document once on this instance. Idempotent by commandId on the agent. */
export interface CommandBody {
  commandId: string;
  documentName: string;
  documentVersion: string;
  /** The document's content as a JSON object (the control plane converts YAML before sending). */
  document: Record<string, unknown>;
  /**
   * Parameter values after the control plane applied defaults and put in the values of `{{ssm:...}}`
   * references (also in the document's steps). `{{ssm-secure:...}}` references stay as written: see `secrets`.
   */
  parameters: Record<string, unknown>;
  /**
   * The SecureString values this run needs, each sealed to the receiving agent's box key (tweetnacl box from the
   * control plane's box key), by reference as documents list them: `ssm-secure:db/password`,
   * `ssm-secure:db/password:3`. The agent keeps them sealed on disk and opens one only in memory, just before a
   * step that uses it runs, putting the value where `{{ssm-secure:...}}` is in that step's inputs and environment.
   * Absent when the run uses none. Different for every instance, so never part of the stored command.
   */
  secrets?: Record<string, Sealed>;
  /** Limit for the whole document run, in seconds (SSM's executionTimeout where the document has one). */
  executionTimeoutSeconds?: number;
  /**
   * SSM's delivery timeout as an instant (ISO 8601): RequestedDateTime + TimeoutSeconds. An agent that has not
   * started the command by then (it was offline, or the command waited in its queue) does not run it and reports
   * TimedOut / DeliveryTimedOut. Absent from control planes that predate it: no deadline.
   */
  deliverBy?: string;
  comment?: string;
}

/** `command-ack` (up): the agent has persisted the command ('new') or already had it ('duplicate'). */
export interface CommandAckBody {
  commandId: string;
  accepted: 'new' | 'duplicate';
  /**
   * The steps as they stand when the acknowledgement leaves, as a `command-status` would give them: a command that
   * starts at once is acknowledged just as its first step starts, and one message says both. Absent when the
   * command waits in the agent's queue (and from agents that predate it).
   */
  steps?: StepResultBody[];
}

/** What the agent says of one step (plugin) of an invocation. Previews are the first 24,000 / 8,000 characters. */
export interface StepResultBody {
  name: string;
  action: string;
  status: string;
  responseCode: number;
  statusDetails?: string;
  startedAt?: string;
  endedAt?: string;
  stdout: { preview: string; bytes: number };
  stderr: { preview: string; bytes: number };
}

/** `command-status` (up): an invocation started or moved on (InProgress, with the steps so far). */
export interface CommandStatusBody {
  commandId: string;
  status: 'InProgress';
  steps: StepResultBody[];
}

/** `command-result` (up): the invocation's final state. Resent until the control plane acknowledges it. */
export interface CommandResultBody {
  commandId: string;
  status: string;
  statusDetails?: string;
  responseCode: number;
  startedAt?: string;
  endedAt: string;
  steps: StepResultBody[];
}

/** `result-ack` (down): the control plane stored the result; the agent may forget its spooled copy. */
export interface ResultAckBody {
  commandId: string;
}

/** `cancel` (down): stop this command if it is queued or running. */
export interface CancelBody {
  commandId: string;
}

// ---- Inventory ------------------------------------------------------------------------------------------

/**
 * One inventory type as gathered on a host (SSM's InventoryItem). `ContentHash` is inventoryContentHash(Content).
 * Content is left out when the agent believes the control plane already holds that hash (checksum first).
 */
export interface InventoryItemBody {
  /** `AWS:Application`, `AWS:Network`, ..., or `Custom:<name>`. */
  TypeName: string;
  SchemaVersion: string;
  /** When it was gathered, SSM's format `yyyy-MM-ddTHH:mm:ssZ`. */
  CaptureTime: string;
  ContentHash: string;
  Content?: Array<Record<string, string>>;
  Context?: Record<string, string>;
}

/** `inventory` (up): what the agent gathered. Resent (same uploadId) until acknowledged. */
export interface InventoryBody {
  uploadId: string;
  items: InventoryItemBody[];
  /** Gatherers that failed this time; what they held before is kept, and the failure is reported. */
  failures?: Array<{ TypeName: string; message: string }>;
}

/**
 * `inventory-ack` (down): `accepted` types are stored; `mismatched` are hash-only items whose hash the control
 * plane does not hold (the agent resends them in full); `rejected` failed validation and are not retried.
 */
export interface InventoryAckBody {
  uploadId: string;
  accepted: string[];
  mismatched: string[];
  rejected?: Array<{ TypeName: string; message: string }>;
}

// ---- State Manager --------------------------------------------------------------------------------------

/**
 * One association as the agent holds it: everything it needs to run it on schedule without the control plane.
 * The document travels with it (JSON), so a run never waits on the network.
 */
export interface AssociationBody {
  associationId: string;
  associationVersion: string;
  associationName?: string;
  documentName: string;
  /** The concrete version the control plane resolved ($DEFAULT / $LATEST made a number). */
  documentVersion: string;
  document: Record<string, unknown>;
  /** Parameter values after defaults (and `{{ssm:...}}` values) were applied by the control plane. */
  parameters: Record<string, unknown>;
  /** Sealed `{{ssm-secure:...}}` values, as CommandBody.secrets. */
  secrets?: CommandBody['secrets'];
  /** SSM's expression (`cron(...)`, `rate(...)`, `at(...)`); absent: run once when applied. */
  scheduleExpression?: string;
  scheduleOffset?: number;
  applyOnlyAtCronInterval: boolean;
  /**
   * ISO 8601: when this version was created, the anchor of @tender/schedules associationRuns(). A version the
   * agent has not run yet is applied at once unless applyOnlyAtCronInterval says otherwise.
   */
  changedAt: string;
  complianceSeverity?: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNSPECIFIED';
  syncCompliance: 'AUTO' | 'MANUAL';
  /** Seconds a run may take (SSM's executionTimeout, or the association's Duration); absent: the document's own. */
  executionTimeoutSeconds?: number;
}

/**
 * `associations` (down): the complete set that applies to this instance now; it replaces what the agent holds
 * (an association missing from it is dropped). Sent on every `hello` and whenever an association or the
 * instance's tags change. `revision` only grows per instance; the agent ignores a set older than the one it has.
 */
export interface AssociationsBody {
  revision: number;
  associations: AssociationBody[];
}

/** `associations-ack` (up): the agent stored this revision (the control plane stops resending it). */
export interface AssociationsAckBody {
  revision: number;
}

/** `association-run-now` (down): StartAssociationsOnce; run this association now under this execution id. */
export interface AssociationRunNowBody {
  associationId: string;
  executionId: string;
}

/** How a run came about: first application or a new version, its schedule, StartAssociationsOnce. */
export type AssociationRunTrigger = 'apply' | 'schedule' | 'run-now';

/** One finished association run on one host, spooled by the agent until acknowledged. */
export interface AssociationRunReport {
  /** Made by the agent, unique: a resent report is recognised by it and stored once. */
  runId: string;
  associationId: string;
  associationVersion: string;
  trigger: AssociationRunTrigger;
  /**
   * The instant the run was due (ISO 8601): the schedule slot for 'schedule' (the same on every host, so the
   * control plane groups runs of one slot into one execution), the version's changedAt for 'apply'.
   */
  scheduledAt: string;
  /** For 'run-now': the execution id the control plane gave. */
  executionId?: string;
  /** SSM's association statuses per target: Success, Failed, TimedOut, Cancelled, Skipped. */
  status: 'Success' | 'Failed' | 'TimedOut' | 'Cancelled' | 'Skipped';
  /** SSM's DetailedStatus (Success, Failed, ...); for 'Skipped' why (e.g. a newer version superseded it). */
  detailedStatus: string;
  startedAt: string;
  endedAt: string;
  responseCode: number;
  steps: StepResultBody[];
}

/** `association-status` (up): finished runs, oldest first; resent (same runIds) until acknowledged. */
export interface AssociationStatusBody {
  reports: AssociationRunReport[];
}

/** `association-status-ack` (down): these runs are stored; the agent forgets them. */
export interface AssociationStatusAckBody {
  runIds: string[];
}
