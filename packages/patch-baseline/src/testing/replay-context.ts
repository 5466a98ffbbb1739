import type { ExecResult, PatchProviderContext } from '@tender/plugin-api';

/** One recorded run of a real command, as patch providers' tests keep them in test/fixtures. */
export interface RecordedCommand {
  command: string;
  args: string[];
  result: ExecResult;
}

export type ReplayContext = PatchProviderContext & { calls: Array<{ command: string; args: string[] }> };

/**
 * For patch providers' unit tests: a PatchProviderContext whose exec answers from recorded runs of the real
 * package-manager commands. Each call must match a recorded call (command and arguments) not used yet, in any
 * order; any other command is refused with an error naming it, so a test fails on a command it did not expect.
 */
export function replayContext(recorded: RecordedCommand[], now = new Date('2026-03-01T12:00:00Z')): ReplayContext {
  const unused = [...recorded];
  const calls: Array<{ command: string; args: string[] }> = [];
  return {
    calls,
    signal: new AbortController().signal,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    now: () => now,
    async exec(command, args) {
      calls.push({ command, args });
      const index = unused.findIndex((entry) => entry.command === command && JSON.stringify(entry.args) === JSON.stringify(args));
      if (index < 0) throw new Error(`unexpected command: ${command} ${args.join(' ')}`);
      return unused.splice(index, 1)[0]!.result;
    },
  };
}
