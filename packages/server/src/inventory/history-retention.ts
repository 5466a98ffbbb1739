/**
 * Inventory history past its retention period: the diffs behind `tender inventory history` older than the
 * limit go, host by host. A host's current inventory is not history and is never pruned (nor is the latest
 * diff of a type special: the current rows are in the type's own file, whatever the history still holds).
 *
 * History is not in the store but in one append-only file per host (inventory-persistence.ts explains why), so
 * each host's file is rewritten atomically, and only when its oldest entry is past the limit: a run over a
 * fleet whose histories are all recent reads a few bytes per host.
 */
import { PartialPruneError, type PruneCounts, type RetentionKind } from '../retention/index.js';
import type { InventoryPersistence } from './inventory-persistence.js';

const HOSTS_AT_ONCE = 8;

export function inventoryHistoryRetention(options: { persistence: InventoryPersistence; days: number }): RetentionKind {
  return {
    name: 'inventory-history',
    days: options.days,
    async prune(cutoff: Date): Promise<PruneCounts> {
      let entries = 0;
      let hosts = 0;
      const failures: string[] = [];
      const queue = await options.persistence.historyHosts();
      // A few hosts at a time: each rewrite waits mostly on its fsync, so they overlap well.
      const worker = async () => {
        for (let instanceId = queue.shift(); instanceId !== undefined; instanceId = queue.shift()) {
          try {
            const removed = await options.persistence.pruneHistory(instanceId, cutoff);
            entries += removed;
            if (removed > 0) hosts++;
          } catch (error) {
            // One host's unreadable history does not keep the rest of the fleet's from being pruned.
            failures.push(`${instanceId}: ${(error as Error).message}`);
          }
        }
      };
      await Promise.all(Array.from({ length: HOSTS_AT_ONCE }, worker));
      const removed = { historyEntries: entries, hosts };
      if (failures.length > 0) throw new PartialPruneError(`could not prune the history of ${failures.length} host(s): ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? '; ...' : ''}`, removed);
      return removed;
    },
  };
}
