import { createHash } from 'node:crypto';

/**
 * The content hash of one inventory type: SHA-256 (hex) of the JSON text of its rows, in the order the agent
 * sends them (gatherers sort their rows, so an unchanged host yields the same hash). Both halves use this one
 * function, so "unchanged" means the same thing on each side.
 */
export function inventoryContentHash(rows: ReadonlyArray<Record<string, string>>): string {
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}
