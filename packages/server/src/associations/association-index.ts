/**
 * Which associations apply to an instance, without looking at every association: each association is filed
 * under ONE of its targets (an instance's own id, a tag key and value, a tag key, or "every node"), so an
 * instance's candidates are found from its id and its tags in a few map lookups, and only those candidates are
 * checked against all their targets (an instance must match every target). 10,000 associations over 1,000
 * hosts cost each host a handful of lookups instead of 10,000 target checks.
 */
import { byKey } from '../api/pagination.js';
import type { InstanceRecord } from '../instances/instance-registry.js';
import { listingOrder, type AssociationTarget } from './association-records.js';
import { targetsMatch } from './association-targets.js';

export interface IndexedAssociation {
  AssociationId: string;
  /** Creation date (ISO 8601): sets are listed oldest first, as effectiveFor always did. */
  Date: string;
  Targets: readonly AssociationTarget[];
}

type Instance = Pick<InstanceRecord, 'InstanceId' | 'Tags'>;

const EVERYWHERE = '*';
const tagSlot = (key: string, value: string): string => `t\u0000${key}\u0000${value}`;
const tagKeySlot = (key: string): string => `k\u0000${key}`;
const instanceSlot = (id: string): string => `i\u0000${id}`;

/** The slots an association is filed under: one target's values (the most selective kind it has). */
function slotsOf(targets: readonly AssociationTarget[]): string[] {
  const ids = targets.find((target) => target.Key.toLowerCase() === 'instanceids');
  if (ids) return ids.Values[0] === EVERYWHERE ? [EVERYWHERE] : ids.Values.map(instanceSlot);
  const tag = targets.find((target) => target.Key.startsWith('tag:'));
  if (tag) return tag.Values.map((value) => tagSlot(tag.Key.slice(4), value));
  const tagKey = targets.find((target) => target.Key === 'tag-key');
  if (tagKey) return tagKey.Values.map(tagKeySlot);
  return []; // no target kind Tender knows: matches nothing (parseTargets refuses such targets anyway)
}

export class AssociationIndex {
  private readonly byId = new Map<string, IndexedAssociation>();
  private readonly bySlot = new Map<string, Set<string>>();

  get size(): number {
    return this.byId.size;
  }

  get(associationId: string): IndexedAssociation | undefined {
    return this.byId.get(associationId);
  }

  /** File (or re-file, after an update) an association under its current targets. */
  put(association: IndexedAssociation): void {
    this.remove(association.AssociationId);
    const entry: IndexedAssociation = { AssociationId: association.AssociationId, Date: association.Date, Targets: association.Targets };
    this.byId.set(entry.AssociationId, entry);
    for (const slot of slotsOf(entry.Targets)) {
      let ids = this.bySlot.get(slot);
      if (!ids) this.bySlot.set(slot, (ids = new Set()));
      ids.add(entry.AssociationId);
    }
  }

  remove(associationId: string): void {
    const entry = this.byId.get(associationId);
    if (!entry) return;
    this.byId.delete(associationId);
    for (const slot of slotsOf(entry.Targets)) {
      const ids = this.bySlot.get(slot);
      ids?.delete(associationId);
      if (ids?.size === 0) this.bySlot.delete(slot);
    }
  }

  /** The associations whose targets all take this instance in now, oldest first. */
  matching(instance: Instance): IndexedAssociation[] {
    const candidates = new Set<string>();
    const add = (slot: string) => this.bySlot.get(slot)?.forEach((id) => candidates.add(id));
    add(EVERYWHERE);
    add(instanceSlot(instance.InstanceId));
    for (const tag of instance.Tags) {
      add(tagSlot(tag.Key, tag.Value));
      add(tagKeySlot(tag.Key));
    }
    const found: IndexedAssociation[] = [];
    for (const id of candidates) {
      const entry = this.byId.get(id)!;
      if (targetsMatch(entry.Targets, instance)) found.push(entry);
    }
    return found.sort(byKey(listingOrder));
  }
}
