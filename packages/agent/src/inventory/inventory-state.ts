import path from 'node:path';
import { ensurePrivateDir, readJsonFile, StateFileError, writeJsonFile } from '@tender/local-state';
import type { InventoryItemBody } from '@tender/protocol';

/** An item waiting for the control plane's acknowledgement: always with its full content, for a resend in full. */
export type SpooledItem = Required<Pick<InventoryItemBody, 'TypeName' | 'SchemaVersion' | 'CaptureTime' | 'ContentHash' | 'Content'>> & Pick<InventoryItemBody, 'Context'>;

export interface PendingUpload {
  uploadId: string;
  items: SpooledItem[];
  failures?: Array<{ TypeName: string; message: string }>;
  /** Types the control plane answered `mismatched` for: they go in full even if the hash was acknowledged once. */
  sendInFull: string[];
}

/**
 * What the agent remembers about inventory, in `<state dir>/inventory/state.json` (written atomically): the hash
 * the control plane acknowledged per type (checksum first: unchanged types go as hash only), and the upload not
 * yet acknowledged (resent after a restart or reconnect until it is).
 */
export interface InventoryState {
  version: 1;
  acknowledged: Record<string, string>;
  pending?: PendingUpload;
  /** When the control plane last acknowledged an upload (ISO 8601): an unchanged host re-verifies its hashes after a day. */
  lastAcknowledgedAt?: string;
}

export const INVENTORY_FOLDER = 'inventory';

export function inventoryStateFile(stateDir: string): string {
  return path.join(stateDir, INVENTORY_FOLDER, 'state.json');
}

export async function loadInventoryState(stateDir: string): Promise<InventoryState> {
  const file = inventoryStateFile(stateDir);
  const state = await readJsonFile<InventoryState>(file);
  if (state === undefined) return { version: 1, acknowledged: {} };
  if (state.version !== 1 || typeof state.acknowledged !== 'object' || state.acknowledged === null) {
    throw new StateFileError(file, `${file} is not an inventory state this agent knows (version ${String(state.version)}); move it away to start over (the next upload is then sent in full)`);
  }
  return state;
}

export async function saveInventoryState(stateDir: string, state: InventoryState): Promise<void> {
  await ensurePrivateDir(path.join(stateDir, INVENTORY_FOLDER));
  await writeJsonFile(inventoryStateFile(stateDir), state);
}
