/**
 * One kind of history that retention prunes (command history, maintenance-window executions, inventory
 * history, ...). A capability provides its kind beside its own records (e.g. commands/command-retention.ts);
 * the pruner (retention-pruner.ts) runs every kind on one clock and audits each run once.
 */
export interface RetentionKind {
  /** Names the kind in logs and in the audit event: `commands`, `maintenance-window-executions`. */
  readonly name: string;
  /** What ended more than this many days ago goes. */
  readonly days: number;
  /**
   * Removes what ended before `cutoff`, first finishing whatever an earlier run that died midway left, and
   * says how many of each thing went (e.g. { commands: 3, invocations: 7, outputDirectories: 2 }).
   */
  prune(cutoff: Date): Promise<PruneCounts>;
}

export type PruneCounts = Record<string, number>;

/** A prune that removed some things and failed on others: what it removed still counts (and is audited). */
export class PartialPruneError extends Error {
  constructor(
    message: string,
    readonly removed: PruneCounts,
  ) {
    super(message);
    this.name = 'PartialPruneError';
  }
}
