import type { ChildProcess, SpawnOptions } from 'node:child_process';

/**
 * How the actions start processes: node's `spawn` by default. Injectable so that a test or an embedding agent
 * can watch or wrap process creation; the actions rely only on what `spawn` itself guarantees.
 */
export type Spawner = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
