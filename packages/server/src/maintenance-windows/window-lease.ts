/**
 * Which control-plane replica runs a window. The Store has no lease primitive, so a lease is a record in the
 * store (owner, expiry) taken and renewed with the table's atomic read-modify-write: a replica takes a window's
 * lease when it is free, expired or already its own, and renews it on every scheduler tick. A replica that stops
 * lets its leases lapse; another takes them over after the expiry and resumes the window's executions from
 * their records. With the embedded file store only one control plane opens a data directory at a time (its
 * lock), so the lease matters for stores that several replicas share.
 */
import type { Table } from '../store/store.js';
import type { WindowLease } from './window-records.js';

export class WindowLeases {
  constructor(
    private readonly table: Table<WindowLease>,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /**
   * Take or renew the window's lease; true when this replica holds it now. A lease of ours with more than half
   * its time left is not written again (a tick a second would otherwise write every window's lease every second).
   */
  async hold(windowId: string, now: Date): Promise<boolean> {
    const held = await this.table.read(windowId);
    if (held?.owner === this.owner && Date.parse(held.expiresAt) - now.getTime() > this.leaseMs / 2) return true;
    const expiresAt = new Date(now.getTime() + this.leaseMs).toISOString();
    const lease = await this.table.update(windowId, (current) => {
      if (current && current.owner !== this.owner && Date.parse(current.expiresAt) > now.getTime()) return undefined;
      return { WindowId: windowId, owner: this.owner, expiresAt };
    });
    return lease?.owner === this.owner;
  }

  /** Give up the leases this replica holds (on a clean stop), so another replica need not wait for the expiry. */
  async releaseAll(): Promise<void> {
    for (const lease of await this.table.list()) {
      if (lease.owner === this.owner) await this.table.delete(lease.WindowId);
    }
  }

  async forget(windowId: string): Promise<void> {
    await this.table.delete(windowId);
  }
}
