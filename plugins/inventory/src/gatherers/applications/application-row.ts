import { compactRow } from '../../rows.js';
import type { InventoryRow } from '../../inventory-types.js';

/** AWS:Application's attributes in SSM's order; Name, Publisher, Version and Architecture are always present. */
export interface ApplicationFields {
  Name: string;
  Publisher?: string;
  Version?: string;
  Release?: string;
  Epoch?: string;
  InstalledTime?: string;
  ApplicationType?: string;
  Architecture?: string;
  URL?: string;
  Summary?: string;
  PackageId?: string;
}

export const APPLICATION_SORT_KEYS = ['Name', 'Publisher', 'Version', 'Architecture'] as const;

export function applicationRow(fields: ApplicationFields): InventoryRow {
  const { Name, Publisher, Version, Release, Epoch, InstalledTime, ApplicationType, Architecture, URL, Summary, PackageId } = fields;
  return compactRow({ Name, Publisher, Version, Release, Epoch, InstalledTime, ApplicationType, Architecture, URL, Summary, PackageId }, ['Name', 'Publisher', 'Version', 'Architecture']);
}
