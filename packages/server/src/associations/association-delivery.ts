/**
 * Delivering each instance its associations: an `associations` message with the complete set that applies to it
 * now, under a revision that only grows, resent until the agent answers `associations-ack` with that revision.
 *
 * When a set is computed again:
 *   - on every `hello` (sent even when unchanged: the agent may have lost its state);
 *   - when an association is created, updated or deleted: only the instances its old or new targets take in;
 *   - when an instance's tags change: only that instance.
 * A set is found through the association index (a few lookups per instance) and made of prepared bodies shared
 * by every instance (AssociationBodies), so a recompute costs little. Each instance's recomputes run one after
 * another (a later one sees later state, so revisions follow the order of changes), and a recompute already
 * queued for an instance absorbs any further request.
 *
 * The revision is max(previous + 1, now in ms), stored before the set is sent: it grows across restarts even if
 * this table were lost. An unchanged set keeps its revision.
 */
import { createHash } from 'node:crypto';
import type { AssociationBody, AssociationsAckBody, AssociationsBody, Message } from '@tender/protocol';
import { isApiError } from '../api/errors.js';
import { SILENT_LOGGER, type CommandLogger } from '../commands/command-logger.js';
import { WriteBehind } from '../commands/write-behind.js';
import type { InstanceRecord, InstanceRegistry } from '../instances/instance-registry.js';
import type { Store, Table } from '../store/store.js';
import { AssociationBodies, type PreparedAssociation } from './association-body.js';
import { currentVersion, type AssociationRecord } from './association-records.js';
import type { AssociationService } from './association-service.js';
import { targetsMatch } from './association-targets.js';

export const DELIVERIES_TABLE = 'association-deliveries';

/** Per instance: the revision of its current set, a digest of that set, and the revision its agent acknowledged. */
export interface DeliveryRecord {
  InstanceId: string;
  revision: number;
  digest: string;
  acked?: number;
}

export interface AssociationDeliveryOptions {
  store: Store;
  associations: AssociationService;
  registry: Pick<InstanceRegistry, 'get' | 'all' | 'onTagsChange'>;
  bodies: AssociationBodies;
  send: (instanceId: string, type: string, body: unknown) => Promise<unknown>;
  now: () => Date;
  logger?: CommandLogger;
  /** How often unacknowledged sets are looked for; 0: no timer (tests call tick()). Default 5000 ms. */
  tickMs?: number;
  /**
   * An unacknowledged set is sent again after this long, then after twice as long, and so on up to 64 times as
   * long (an agent that predates State Manager never acknowledges). Default 30 s.
   */
  resendAfterMs?: number;
}

export class AssociationDelivery {
  private readonly table: Table<DeliveryRecord>;
  private readonly states = new Map<string, DeliveryRecord>();
  private readonly lastSentAt = new Map<string, number>();
  /** Sends of the current revision so far: each resend waits twice as long as the one before (up to 64×). */
  private readonly sends = new Map<string, number>();
  private readonly writes = new WriteBehind();
  private readonly chains = new Map<string, Promise<void>>();
  /** Instances with a recompute queued and not yet started, and whether it must send even an unchanged set. */
  private readonly queued = new Map<string, { force: boolean }>();
  private readonly logger: CommandLogger;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: AssociationDeliveryOptions) {
    this.table = options.store.table<DeliveryRecord>(DELIVERIES_TABLE);
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  async start(): Promise<void> {
    for (const record of await this.table.list()) this.states.set(record.InstanceId, record);
    this.options.registry.onTagsChange((record) => void this.refresh([record.InstanceId]));
    this.options.associations.onChange((before, after) => this.associationChanged(before, after));
    const tickMs = this.options.tickMs ?? 5000;
    if (tickMs > 0) {
      this.timer = setInterval(() => this.tick(), tickMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.idle();
    await this.writes.flush();
  }

  /** A `hello`: the agent (re)connected; it gets its current set whether or not it changed. */
  onHello(instanceId: string): Promise<void> {
    return this.refresh([instanceId], { force: true });
  }

  /** `associations-ack`: the agent stored this revision; it is not sent again. */
  async onAck(message: Message): Promise<void> {
    const body = message.body as Partial<AssociationsAckBody> | null;
    if (typeof body?.revision !== 'number') {
      this.logger.warn({ from: message.from, id: message.id }, 'malformed associations-ack ignored');
      return;
    }
    const state = this.states.get(message.from);
    if (!state || state.revision !== body.revision || state.acked === body.revision) return; // an older set's ack
    state.acked = body.revision;
    this.save(state);
    await this.writes.flush();
  }

  /** Compute again, and send when changed (or when `force`), the sets of these instances. */
  refresh(instanceIds: Iterable<string>, options: { force?: boolean } = {}): Promise<void> {
    const runs: Array<Promise<void>> = [];
    for (const instanceId of instanceIds) {
      const waiting = this.queued.get(instanceId);
      if (waiting) {
        waiting.force ||= options.force === true;
        runs.push(this.chains.get(instanceId)!);
        continue;
      }
      const request = { force: options.force === true };
      this.queued.set(instanceId, request);
      const previous = this.chains.get(instanceId) ?? Promise.resolve();
      const run = previous.then(async () => {
        this.queued.delete(instanceId);
        try {
          await this.deliver(instanceId, request.force);
        } catch (error) {
          this.logger.error({ err: (error as Error).message, instanceId }, 'delivering associations failed; the next change, hello or resend tries again');
        }
      });
      this.chains.set(instanceId, run);
      void run.finally(() => {
        if (this.chains.get(instanceId) === run) this.chains.delete(instanceId);
      });
      runs.push(run);
    }
    return Promise.all(runs).then(() => undefined);
  }

  /** Resend the sets agents have not acknowledged (online instances, after resendAfterMs, backing off). */
  tick(): Promise<void> {
    const now = this.options.now().getTime();
    const resendAfterMs = this.options.resendAfterMs ?? 30_000;
    const due: string[] = [];
    for (const state of this.states.values()) {
      if (state.acked === state.revision) continue;
      if (this.options.registry.get(state.InstanceId)?.PingStatus !== 'Online') continue;
      const wait = resendAfterMs * 2 ** Math.min(6, Math.max(0, (this.sends.get(state.InstanceId) ?? 1) - 1));
      if (now - (this.lastSentAt.get(state.InstanceId) ?? 0) >= wait) due.push(state.InstanceId);
    }
    return this.refresh(due, { force: true });
  }

  /** Resolves once every recompute queued so far is done (tests and benchmarks wait on it). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** The delivery state of an instance (for tests and tools). */
  state(instanceId: string): Readonly<DeliveryRecord> | undefined {
    return this.states.get(instanceId);
  }

  /** The set an instance gets now, prepared (for DescribeEffectiveInstanceAssociations-like views and benchmarks). */
  async setFor(instance: InstanceRecord): Promise<PreparedAssociation[]> {
    const prepared: PreparedAssociation[] = [];
    for (const record of await this.options.associations.matching(instance)) {
      try {
        prepared.push(await this.options.bodies.prepare(record));
      } catch (error) {
        // Cannot run (its document was deleted, a reference no longer resolves): left out, as effectiveFor does.
        if (!isApiError(error)) throw error;
        this.logger.warn({ associationId: record.AssociationId, instanceId: instance.InstanceId, err: `${error.code}: ${error.message}` }, 'association left out of an instance\'s set');
      }
    }
    return prepared;
  }

  private associationChanged(before: AssociationRecord | undefined, after: AssociationRecord | undefined): void {
    const id = (after ?? before)!.AssociationId;
    this.options.bodies.forget(id);
    const affected = new Set<string>();
    for (const record of [before, after]) {
      if (!record) continue;
      const targets = currentVersion(record).Targets;
      // Named instances need no pass over the fleet; tags and * do.
      const ids = targets.find((target) => target.Key.toLowerCase() === 'instanceids' && target.Values[0] !== '*');
      const candidates = ids ? ids.Values.map((instanceId) => this.options.registry.get(instanceId)).filter((instance) => instance !== undefined) : this.options.registry.all();
      for (const instance of candidates) if (targetsMatch(targets, instance)) affected.add(instance.InstanceId);
    }
    void this.refresh(affected);
  }

  private async deliver(instanceId: string, force: boolean): Promise<void> {
    if (this.stopped) return;
    const instance = this.options.registry.get(instanceId);
    if (!instance) {
      // Deregistered: nothing to deliver, and nothing to keep.
      if (this.states.delete(instanceId)) this.writes.mark(instanceId, async () => void (await this.table.delete(instanceId)));
      return;
    }
    const prepared = await this.setFor(instance);
    const digest = createHash('sha256').update(prepared.map((p) => p.digest).join('\n')).digest('hex');
    let state = this.states.get(instanceId);
    if (!state || state.digest !== digest) {
      state = { InstanceId: instanceId, revision: Math.max((state?.revision ?? 0) + 1, this.options.now().getTime()), digest };
      this.states.set(instanceId, state);
      this.sends.delete(instanceId);
      this.save(state);
      await this.writes.flush(); // the revision is on disk before any agent sees it
    } else if (!force && state.acked === state.revision) {
      return;
    }
    // An instance that is not connected gets its set at its next hello.
    if (instance.PingStatus !== 'Online' && !force) return;
    const associations: AssociationBody[] = [];
    for (const item of prepared) {
      try {
        associations.push(AssociationBodies.forInstance(item, instance.boxPublicKey));
      } catch (error) {
        this.logger.warn({ associationId: item.body.associationId, instanceId, err: (error as Error).message }, 'cannot seal secrets to this instance\'s box key; association left out');
      }
    }
    this.lastSentAt.set(instanceId, this.options.now().getTime());
    this.sends.set(instanceId, (this.sends.get(instanceId) ?? 0) + 1);
    await this.options.send(instanceId, 'associations', { revision: state.revision, associations } satisfies AssociationsBody).catch((error: unknown) => {
      this.logger.warn({ err: (error as Error)?.message, instanceId }, 'could not send associations; will resend');
    });
  }

  private save(state: DeliveryRecord): void {
    const copy = { ...state };
    this.writes.mark(state.InstanceId, () => this.table.put(state.InstanceId, copy));
  }
}
