/**
 * The default inventory association. Decision (issue 6 leaves it open): on its first start, a control plane
 * creates one association of AWS-GatherSoftwareInventory for every managed node (`InstanceIds=*`) every 30
 * minutes, named `tender-default-inventory`; that is how inventory "moves onto an association" (DESIGN.md,
 * State Manager): an agent that holds an association of that document stands its built-in inventory schedule
 * down, and the operator sees, changes (schedule, targets, parameters) or deletes it like any other.
 *
 * Only once: a marker records that it was made, so an association the operator deleted is not made again, and
 * a control plane that already has an AWS-GatherSoftwareInventory association (made by the operator) gets none.
 * 30 minutes is SSM Quick Setup's default inventory schedule and the agent's built-in interval.
 */
import type { CommandLogger } from '../commands/command-logger.js';
import type { Store } from '../store/store.js';
import { currentVersion } from './association-records.js';
import type { AssociationService } from './association-service.js';

export const DEFAULT_INVENTORY_NAME = 'tender-default-inventory';
export const DEFAULT_INVENTORY_SCHEDULE = 'rate(30 minutes)';
const DOCUMENT = 'AWS-GatherSoftwareInventory';
const SETTINGS_TABLE = 'state-manager';
const MARKER = 'default-inventory-association';

export async function ensureDefaultInventoryAssociation(store: Store, associations: AssociationService, now: () => Date, logger?: CommandLogger): Promise<void> {
  const settings = store.table<{ at: string; associationId?: string }>(SETTINGS_TABLE);
  if (await settings.read(MARKER)) return;
  const existing = (await associations.list()).find((record) => currentVersion(record).Name === DOCUMENT);
  if (existing) {
    await settings.put(MARKER, { at: now().toISOString(), associationId: existing.AssociationId });
    return;
  }
  const created = await associations.create({ Name: DOCUMENT, AssociationName: DEFAULT_INVENTORY_NAME, Targets: [{ Key: 'InstanceIds', Values: ['*'] }], ScheduleExpression: DEFAULT_INVENTORY_SCHEDULE });
  await settings.put(MARKER, { at: now().toISOString(), associationId: created.AssociationId });
  logger?.info({ associationId: created.AssociationId, schedule: DEFAULT_INVENTORY_SCHEDULE }, 'created the default inventory association (AWS-GatherSoftwareInventory on every managed node); delete it to stop');
}
