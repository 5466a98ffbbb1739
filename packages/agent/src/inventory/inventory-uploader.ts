import { randomUUID } from 'node:crypto';
import type { AgentServices, Logger } from '@tender/plugin-api';
import { inventoryContentHash, MAX_AGENT_UPLOAD_ENVELOPE_BYTES, type InventoryAckBody, type InventoryBody, type InventoryItemBody } from '@tender/protocol';
import { loadInventoryState, saveInventoryState, type InventoryState, type PendingUpload, type SpooledItem } from './inventory-state.js';

export type PutInventory = NonNullable<AgentServices['putInventory']>;
export type InventoryServices = Required<Pick<AgentServices, 'putInventory'>>;

/** What the uploader needs of the rest of the agent; injected so tests and the benchmark can watch the wire. */
export interface InventoryUploaderOptions {
  stateDir: string;
  /** Publishes an `inventory` message (throws while disconnected: the upload stays spooled). */
  send: (body: InventoryBody) => Promise<void>;
  logger: Logger;
  /** The largest random delay before an upload goes out, so a fleet gathering at the same time does not arrive at once. 0: none. */
  jitterMs: number;
  /** How long an upload may wait for its `inventory-ack` before it goes again. */
  resendAfterMs?: number;
  /** Filled into AWS:InstanceInformation: the agent speaks for itself there. */
  agentVersion: string;
  /**
   * When nothing changed since the last acknowledged upload, nothing is sent, except once this long after that
   * acknowledgement: then every type goes as hash only, so a control plane that lost some inventory (restored
   * from an old backup, say) answers `mismatched` and gets it again. Default one day.
   */
  verifyAfterMs?: number;
  random?: () => number;
  now?: () => number;
  /** The largest signed message the control plane accepts from an agent. Default MAX_AGENT_UPLOAD_ENVELOPE_BYTES. */
  maxMessageBytes?: number;
}

/** What the envelope adds around the body: message fields, signature, key id (generously). */
const ENVELOPE_OVERHEAD_BYTES = 1024;

/** The size of the signed envelope that will carry this body: the message is a JSON string inside JSON. */
export function envelopeBytes(body: InventoryBody): number {
  return Buffer.byteLength(JSON.stringify(JSON.stringify(body))) + ENVELOPE_OVERHEAD_BYTES;
}

export const DEFAULT_RESEND_AFTER_MS = 60_000;
export const DEFAULT_VERIFY_AFTER_MS = 24 * 3_600_000;
const INSTANCE_INFORMATION = 'AWS:InstanceInformation';

/**
 * The agent's inventory uploader, checksum first (as SSM's agent):
 *
 *   - put(): each type gets its content hash; the upload is spooled (state.json) before put() resolves;
 *   - a type whose hash the control plane acknowledged before goes as hash only; the others go in full;
 *   - `inventory-ack`: accepted types' hashes are remembered; `mismatched` ones (the control plane does not hold
 *     that hash) go again at once, in full; `rejected` ones are dropped (logged);
 *   - until acknowledged, the upload goes again after every reconnect and every resendAfterMs; a newer put()
 *     merges into a pending upload (newer types replace older ones) under a new upload id;
 *   - a gather in which nothing changed sends nothing at all, unless the last acknowledgement is older than
 *     verifyAfterMs: then it goes as hashes only (a check that the control plane still holds them).
 */
export class InventoryUploader {
  private timer: NodeJS.Timeout | undefined;
  private resendTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** One state change at a time: put(), acknowledge() and send() read and write the same state. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly options: InventoryUploaderOptions,
    private state: InventoryState,
  ) {}

  static async open(options: InventoryUploaderOptions): Promise<InventoryUploader> {
    return new InventoryUploader(options, await loadInventoryState(options.stateDir));
  }

  /** The services entry actions get: `putInventory` hands gathered inventory to this uploader. */
  services(): InventoryServices {
    return { putInventory: (items, failures) => this.put(items, failures) };
  }

  /** The upload not yet acknowledged, if any (for tests and `status`). */
  get pending(): PendingUpload | undefined {
    return this.state.pending;
  }

  get acknowledged(): Readonly<Record<string, string>> {
    return this.state.acknowledged;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async put(items: Parameters<PutInventory>[0], failures?: Parameters<PutInventory>[1]): Promise<void> {
    const send = await this.serial(async () => {
      const spooled = items.map((item) => this.spoolItem(item));
      const earlier = this.state.pending;
      const delivered = new Set(spooled.map((item) => item.TypeName));
      const kept = (earlier?.items ?? []).filter((item) => !delivered.has(item.TypeName));
      const failed = new Set((failures ?? []).map((failure) => failure.TypeName));
      const allFailures = [...(earlier?.failures ?? []).filter((failure) => !delivered.has(failure.TypeName) && !failed.has(failure.TypeName)), ...(failures ?? [])];
      this.state.pending = {
        uploadId: randomUUID(),
        items: [...kept, ...spooled],
        ...(allFailures.length ? { failures: allFailures } : {}),
        // A re-gathered type that was mismatched has no acknowledged hash any more: it goes in full anyway.
        sendInFull: (earlier?.sendInFull ?? []).filter((type) => !delivered.has(type)),
      };
      this.fitIntoOneMessage(this.state.pending);
      const nothingNew = (this.state.pending.failures ?? []).length === 0 && this.state.pending.items.every((item) => this.isAcknowledged(item));
      const lastAck = this.state.lastAcknowledgedAt ? Date.parse(this.state.lastAcknowledgedAt) : NaN;
      const verified = this.now() - lastAck < (this.options.verifyAfterMs ?? DEFAULT_VERIFY_AFTER_MS);
      if (nothingNew && verified) {
        delete this.state.pending;
        this.options.logger.debug('inventory unchanged since the last acknowledged upload; nothing to send');
      }
      await saveInventoryState(this.options.stateDir, this.state);
      return this.state.pending !== undefined;
    });
    if (send) this.schedule(true);
  }

  /**
   * An upload must fit in one message (the control plane refuses bigger ones unread): the largest types that
   * would go in full are left out, each reported as a failure that says why, until it fits. They are gathered
   * and tried again next time; nothing is cut short silently.
   */
  private fitIntoOneMessage(pending: PendingUpload): void {
    const limit = this.options.maxMessageBytes ?? MAX_AGENT_UPLOAD_ENVELOPE_BYTES;
    const withoutContent = (item: SpooledItem) => this.isAcknowledged(item);
    for (;;) {
      this.state.pending = pending;
      const body = this.body()!;
      const size = envelopeBytes(body);
      if (size <= limit) return;
      const largest = pending.items
        .filter((item) => !withoutContent(item))
        .map((item) => ({ item, bytes: Buffer.byteLength(JSON.stringify(item.Content)) }))
        .sort((a, b) => b.bytes - a.bytes)[0];
      if (!largest) return; // hashes alone cannot be this big
      pending.items = pending.items.filter((item) => item !== largest.item);
      const message = `${largest.item.TypeName} was not uploaded: its content is ${largest.bytes} bytes and one inventory message carries at most ${limit} (signed); it is gathered and tried again next time`;
      pending.failures = [...(pending.failures ?? []), { TypeName: largest.item.TypeName, message }];
      this.options.logger.error(message, { typeName: largest.item.TypeName, bytes: largest.bytes, limit });
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The control plane holds this item's content already (as far as the agent knows). */
  private isAcknowledged(item: SpooledItem): boolean {
    return this.state.acknowledged[item.TypeName] === item.ContentHash && !(this.state.pending?.sendInFull ?? []).includes(item.TypeName);
  }

  /** Hashes an item as it will be sent; AWS:InstanceInformation gets the agent's own facts first. */
  private spoolItem(item: Parameters<PutInventory>[0][number]): SpooledItem {
    let content = item.Content;
    if (item.TypeName === INSTANCE_INFORMATION) content = content.map((row) => ({ AgentStatus: 'Active', AgentVersion: this.options.agentVersion, ...row }));
    return {
      TypeName: item.TypeName,
      SchemaVersion: item.SchemaVersion,
      CaptureTime: item.CaptureTime,
      ContentHash: inventoryContentHash(content),
      Content: content,
      ...(item.Context ? { Context: item.Context } : {}),
    };
  }

  /** The message for the pending upload: hash only where the control plane already holds that hash. */
  body(): InventoryBody | undefined {
    const pending = this.state.pending;
    if (!pending) return undefined;
    const items: InventoryItemBody[] = pending.items.map((item) => {
      if (!this.isAcknowledged(item)) return item;
      const { Content: _content, ...hashOnly } = item;
      return hashOnly;
    });
    return { uploadId: pending.uploadId, items, ...(pending.failures ? { failures: pending.failures } : {}) };
  }

  /** Call for every `inventory-ack`. Acks of an earlier upload id are ignored: a newer upload supersedes it. */
  async acknowledge(ack: InventoryAckBody): Promise<void> {
    const resend = await this.serial(async () => {
      const pending = this.state.pending;
      if (!pending || ack.uploadId !== pending.uploadId) {
        this.options.logger.debug('inventory-ack for an upload that is not pending; ignored', { uploadId: ack.uploadId });
        return false;
      }
      this.state.lastAcknowledgedAt = new Date(this.now()).toISOString();
      const accepted = new Set(ack.accepted ?? []);
      const mismatched = new Set(ack.mismatched ?? []);
      const rejected = new Map((ack.rejected ?? []).map((entry) => [entry.TypeName, entry.message]));
      for (const item of pending.items) {
        if (accepted.has(item.TypeName)) this.state.acknowledged[item.TypeName] = item.ContentHash;
        if (mismatched.has(item.TypeName)) delete this.state.acknowledged[item.TypeName];
      }
      for (const [typeName, message] of rejected) this.options.logger.warn('the control plane rejected an inventory type; it is not sent again until it changes', { typeName, message });
      const remaining = pending.items.filter((item) => !accepted.has(item.TypeName) && !rejected.has(item.TypeName));
      // Failures were delivered with this upload; they are not repeated with the resend of mismatched types.
      if (remaining.length === 0) delete this.state.pending;
      else this.state.pending = { uploadId: pending.uploadId, items: remaining, sendInFull: [...new Set([...pending.sendInFull, ...mismatched])] };
      await saveInventoryState(this.options.stateDir, this.state);
      if (mismatched.size) this.options.logger.info('the control plane does not hold these inventory hashes; sending them in full', { types: [...mismatched] });
      return this.state.pending !== undefined && mismatched.size > 0;
    });
    if (resend) this.schedule(false);
  }

  /** After a (re)connection: a pending upload goes again (jittered: a whole fleet reconnects together). */
  reconnected(): void {
    if (this.state.pending) this.schedule(true);
  }

  /** Sends the pending upload after the jitter (or now); a later call replaces an earlier wait. */
  private schedule(jitter: boolean): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const delay = jitter && this.options.jitterMs > 0 ? Math.floor((this.options.random ?? Math.random)() * this.options.jitterMs) : 0;
    this.timer = setTimeout(() => void this.sendNow(), delay);
    this.timer.unref?.();
  }

  /** Sends the pending upload now (if any). Resolves once it is published, or failed to be (it stays spooled). */
  async sendNow(): Promise<void> {
    const body = this.body();
    if (!body || this.stopped) return;
    clearTimeout(this.resendTimer);
    this.resendTimer = setTimeout(() => this.schedule(false), this.options.resendAfterMs ?? DEFAULT_RESEND_AFTER_MS);
    this.resendTimer.unref?.();
    try {
      await this.options.send(body);
      this.options.logger.info('inventory sent', {
        uploadId: body.uploadId,
        full: body.items.filter((item) => item.Content).map((item) => item.TypeName),
        hashOnly: body.items.filter((item) => !item.Content).map((item) => item.TypeName),
        bytes: Buffer.byteLength(JSON.stringify(body)),
      });
    } catch (error) {
      this.options.logger.warn('inventory not sent yet; it stays spooled and goes after the next reconnect', { err: (error as Error).message });
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.resendTimer);
  }
}
