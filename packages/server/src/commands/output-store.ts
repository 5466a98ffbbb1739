/**
 * Full step outputs, kept as files beside the store (the store itself holds only the previews):
 * `<outputsDir>/<commandId>/<instanceId>/<step>/<stdout|stderr>`. The step directory's name is derived from the
 * step name (base64url, or a hash for very long names) so that no step name can reach outside its directory.
 * Files are written atomically: a reader sees the previous upload or the new one, never part of one.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '@tender/local-state';
import { INSTANCE_ID_PATTERN } from './command-targets.js';
import type { OutputStream } from '@tender/protocol';

export type { OutputStream };

export const COMMAND_ID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isOutputStream(value: string): value is OutputStream {
  return value === 'stdout' || value === 'stderr';
}

function stepDirectory(step: string): string {
  const encoded = Buffer.from(step, 'utf8').toString('base64url');
  return encoded.length <= 200 ? `s-${encoded}` : `h-${createHash('sha256').update(step, 'utf8').digest('hex')}`;
}

export class OutputStore {
  constructor(private readonly dir: string) {}

  /** The file of one stream; throws on ids that are not a command id and an instance id. */
  fileOf(commandId: string, instanceId: string, step: string, stream: OutputStream): string {
    if (!COMMAND_ID_PATTERN.test(commandId)) throw new TypeError(`not a command id: ${JSON.stringify(commandId)}`);
    if (!INSTANCE_ID_PATTERN.test(instanceId)) throw new TypeError(`not an instance id: ${JSON.stringify(instanceId)}`);
    if (step.length === 0) throw new TypeError('a step name cannot be empty');
    return path.join(this.dir, commandId.toLowerCase(), instanceId, stepDirectory(step), stream);
  }

  /** The directory of every output of one command, relative to the outputs directory (retention removes it whole). */
  directoryOf(commandId: string): string {
    if (!COMMAND_ID_PATTERN.test(commandId)) throw new TypeError(`not a command id: ${JSON.stringify(commandId)}`);
    return commandId.toLowerCase();
  }

  async write(commandId: string, instanceId: string, step: string, stream: OutputStream, content: Uint8Array): Promise<void> {
    const file = this.fileOf(commandId, instanceId, step, stream);
    await ensurePrivateDir(path.dirname(file));
    await writeFileAtomic(file, content);
  }

  /** The stored bytes, or undefined when nothing was uploaded for this stream. */
  async read(commandId: string, instanceId: string, step: string, stream: OutputStream): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.fileOf(commandId, instanceId, step, stream));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
