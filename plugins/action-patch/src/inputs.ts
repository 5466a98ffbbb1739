/**
 * aws:runPatchBaseline's inputs, as AWS-RunPatchBaseline passes its parameters: operation (Scan | Install),
 * snapshotId (a UUID, or empty for a new snapshot), installOverrideList, baselineOverride, rebootOption
 * (RebootIfNeeded | NoReboot). Where SSM takes S3 or HTTPS URLs, Tender takes the content itself or the path of a
 * file on the host (see the README).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const RUN_PATCH_BASELINE = 'aws:runPatchBaseline';

export interface PatchInputs {
  operation: 'Scan' | 'Install';
  snapshotId: string;
  /** The patches to install instead of what the baseline approves; undefined: the baseline decides. */
  installOverrideList?: string[];
  baselineOverride?: Record<string, unknown>;
  rebootOption: 'RebootIfNeeded' | 'NoReboot';
}

export class PatchInputError extends Error {}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Files named by InstallOverrideList / BaselineOverride are small by nature; a larger one is a mistake. */
const MAX_FILE_BYTES = 1024 * 1024;

function text(inputs: Readonly<Record<string, unknown>>, name: string): string {
  const value = inputs[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new PatchInputError(`input ${name} must be a string`);
  return value.trim();
}

async function fileOrText(value: string, name: string): Promise<string> {
  if (!path.isAbsolute(value) || value.includes('\n')) return value;
  try {
    const content = await readFile(value);
    if (content.length > MAX_FILE_BYTES) throw new PatchInputError(`${name}: ${value} is ${content.length} bytes; at most ${MAX_FILE_BYTES}`);
    return content.toString('utf8');
  } catch (error) {
    if (error instanceof PatchInputError) throw error;
    throw new PatchInputError(`${name}: cannot read ${value}: ${(error as Error).message}`);
  }
}

/** Patch names from a list (commas or newlines) or SSM's YAML form (`patches:` then `- id: name` lines). */
export function parsePatchList(content: string): string[] {
  const names: string[] = [];
  for (const raw of content.split(/[\n,]/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line === 'patches:') continue;
    const yamlId = /^-?\s*id:\s*['"]?([^'"]+?)['"]?$/.exec(line);
    if (yamlId) names.push(yamlId[1]!);
    else if (/^title:/.test(line) || /^-?\s*title:/.test(line)) continue;
    else names.push(line.replace(/^-\s*/, ''));
  }
  return [...new Set(names)];
}

export async function parsePatchInputs(inputs: Readonly<Record<string, unknown>>, newId: () => string = randomUUID): Promise<PatchInputs> {
  const operation = text(inputs, 'operation');
  if (operation !== 'Scan' && operation !== 'Install') throw new PatchInputError(`operation must be Scan or Install, not ${JSON.stringify(operation)}`);
  const rebootOption = text(inputs, 'rebootOption') || 'RebootIfNeeded';
  if (rebootOption !== 'RebootIfNeeded' && rebootOption !== 'NoReboot') throw new PatchInputError(`rebootOption must be RebootIfNeeded or NoReboot, not ${JSON.stringify(rebootOption)}`);
  const snapshotId = text(inputs, 'snapshotId') || newId();
  if (!UUID.test(snapshotId)) throw new PatchInputError(`snapshotId must be a UUID, not ${JSON.stringify(snapshotId)}`);
  const parsed: PatchInputs = { operation, snapshotId, rebootOption };
  const overrideList = text(inputs, 'installOverrideList');
  if (overrideList !== '') {
    const names = parsePatchList(await fileOrText(overrideList, 'installOverrideList'));
    if (names.length === 0) throw new PatchInputError('installOverrideList names no patch');
    parsed.installOverrideList = names;
  }
  const override = text(inputs, 'baselineOverride');
  if (override !== '') {
    const json = await fileOrText(override, 'baselineOverride');
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new PatchInputError(`baselineOverride is not JSON: ${(error as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PatchInputError('baselineOverride must be a JSON object (SSM\'s BaselineOverride structure)');
    parsed.baselineOverride = value as Record<string, unknown>;
  }
  return parsed;
}
