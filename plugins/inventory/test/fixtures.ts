import { readFileSync } from 'node:fs';
import type { CommandRunner, GatherEnvironment } from '../src/index.js';

/** A file of test/fixtures (tests run from dist/test, the fixtures stay in the source tree). */
export function fixture(name: string): string {
  return readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8');
}

/** A command runner that answers from recorded output by program name, and fails like a missing program otherwise. */
export function recordedRunner(outputs: Record<string, string | Error>): CommandRunner & { calls: Array<{ file: string; args: readonly string[] }> } {
  const calls: Array<{ file: string; args: readonly string[] }> = [];
  const run = (async (file: string, args: readonly string[]) => {
    calls.push({ file, args });
    const output = outputs[file];
    if (output === undefined) {
      const { CommandFailedError } = await import('../src/command-runner.js');
      throw new CommandFailedError(file, true, `${file} failed: it is not installed (not found on PATH)`);
    }
    if (output instanceof Error) throw output;
    return output;
  }) as CommandRunner & { calls: typeof calls };
  run.calls = calls;
  return run;
}

export function environment(overrides: Partial<GatherEnvironment> = {}): GatherEnvironment {
  return {
    platform: 'linux',
    run: recordedRunner({}),
    signal: new AbortController().signal,
    instanceId: 'mi-0123456789abcdef0',
    customInventoryDirectory: '/nonexistent/custom',
    shared: new Map(),
    ...overrides,
  };
}
