import type { Platform } from '@tender/plugin-api';

/** One row of an inventory type: SSM's Content entries are maps of strings. */
export type InventoryRow = Record<string, string>;

/** One gathered type, as handed to the agent's uploader (SSM's InventoryItem without the hash). */
export interface GatheredItem {
  TypeName: string;
  SchemaVersion: string;
  CaptureTime: string;
  Content: InventoryRow[];
}

/** A gatherer that could not do its work this time; the others still report. */
export interface GatherFailure {
  TypeName: string;
  message: string;
}

/** Runs a program and resolves to its standard output; rejects with a message naming the program. */
export type CommandRunner = (file: string, args: readonly string[], options?: { signal?: AbortSignal }) => Promise<string>;

/** What every gatherer may use: injected so tests can feed recorded output instead of the real host. */
export interface GatherEnvironment {
  platform: Platform;
  run: CommandRunner;
  signal: AbortSignal;
  /** The agent's instance id (AWS:InstanceInformation). */
  instanceId: string;
  /** dpkg's database folder (dpkg-query --admindir); absent: dpkg's own default, /var/lib/dpkg. */
  dpkgAdminDir?: string;
  /** Where custom inventory JSON files are read from. */
  customInventoryDirectory: string;
  /** Work shared by gatherers within one gather (the application list feeds two types). */
  shared: Map<string, Promise<unknown>>;
}

/** Runs `work` once per gather, whichever gatherer asks first. */
export function sharedWork<T>(environment: GatherEnvironment, key: string, work: () => Promise<T>): Promise<T> {
  let promise = environment.shared.get(key) as Promise<T> | undefined;
  if (!promise) {
    promise = work();
    environment.shared.set(key, promise);
  }
  return promise;
}

/** One inventory type's gatherer. A type may yield several items (custom inventory: one per file). */
export interface Gatherer {
  /** The type it produces (`Custom:*` for custom inventory). */
  typeName: string;
  /** The platforms it gathers on; elsewhere the type is not collected (as SSM's Windows-only types). */
  platforms: readonly Platform[];
  gather(environment: GatherEnvironment): Promise<GathererOutput>;
}

export interface GathererOutput {
  items: GatheredItem[];
  /** Types (or files of custom inventory) that could not be gathered: reported to the control plane. */
  failures?: GatherFailure[];
  /** Problems that spoiled part of a type that is still delivered (an unreadable path of AWS:File): step output only. */
  problems?: string[];
}
