import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ActionContext, RunIdentity, OutputSink } from '../action.js';
import type { Logger } from '../logger.js';
import type { Platform } from '../version.js';

/**
 * Test support for action authors (`@tender/plugin-api/testing`): a step context as Tender's document runner
 * builds it, over a private temporary folder, with sinks and a logger that keep everything for assertions.
 */

/** An output sink that keeps every chunk as bytes, to compare byte for byte. */
export class CollectingSink implements OutputSink {
  readonly chunks: Buffer[] = [];
  write(chunk: Uint8Array | string): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
  text(): string {
    return this.bytes().toString('utf8');
  }
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

export interface StepFixture {
  context: ActionContext;
  stdout: CollectingSink;
  stderr: CollectingSink;
  logs: LogEntry[];
  controller: AbortController;
  /** A fresh temporary folder, removed by cleanup(). */
  root: string;
  orchestrationDirectory: string;
  cleanup(): Promise<void>;
}

/** A step context as the document runner would build it, over a private temporary folder. */
export async function stepFixture(
  inputs: Record<string, unknown>,
  overrides: { env?: Record<string, string>; platform?: Platform; run?: Partial<RunIdentity> } = {},
): Promise<StepFixture> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tender-action-test-'));
  const orchestrationDirectory = path.join(root, 'orchestration', 'step');
  const stdout = new CollectingSink();
  const stderr = new CollectingSink();
  const logs: LogEntry[] = [];
  const log = (level: LogEntry['level']) => (message: string, fields?: Record<string, unknown>) => {
    logs.push({ level, message, ...(fields ? { fields } : {}) });
  };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const controller = new AbortController();
  const context: ActionContext = {
    inputs,
    signal: controller.signal,
    logger,
    stdout,
    stderr,
    orchestrationDirectory,
    env: overrides.env ?? {},
    run: { instanceId: 'mi-0123456789abcdef0', commandId: 'cmd-1', documentName: 'Test-Document', stepName: 'step', region: 'local', ...overrides.run },
    platform: overrides.platform ?? (process.platform as Platform),
  };
  return {
    context, stdout, stderr, logs, controller, root, orchestrationDirectory,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
