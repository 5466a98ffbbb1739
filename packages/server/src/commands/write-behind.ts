/**
 * Batched, ordered persistence for records that live in memory. A change is made to the in-memory record
 * synchronously and marked dirty; `flush()` resolves once a write that holds that change has completed. Changes
 * made while a write round is under way go into the next round, so many agents answering at once cost a few
 * store writes instead of one each (the embedded store rewrites its whole file per write), and two writes of the
 * same record never overlap, so the store never ends up with an older value than memory.
 *
 * A failed round keeps its records dirty (unless a newer change replaced them) and rejects its waiters; the next
 * flush tries them again.
 */
export class WriteBehind {
  private readonly dirty = new Map<string, () => Promise<void>>();
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** Remember that `key` must be written with `write` (the latest write for a key replaces earlier ones). */
  mark(key: string, write: () => Promise<void>): void {
    this.dirty.set(key, write);
  }

  get pending(): number {
    return this.dirty.size;
  }

  /** Resolves when everything marked before this call is in the store. */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.running) {
      const after = this.running.catch(() => undefined).then(() => {
        this.queued = undefined;
        return this.start();
      });
      this.queued = after;
      return after;
    }
    return this.start();
  }

  private start(): Promise<void> {
    if (this.dirty.size === 0) return Promise.resolve();
    const batch = [...this.dirty.entries()];
    this.dirty.clear();
    // Every write is started synchronously here, so each sees its record as it is at this instant.
    const round = Promise.allSettled(batch.map(([, write]) => write())).then((outcomes) => {
      const failures = outcomes.flatMap((outcome, index) => (outcome.status === 'rejected' ? [{ index, reason: outcome.reason as unknown }] : []));
      for (const { index } of failures) {
        const [key, write] = batch[index]!;
        if (!this.dirty.has(key)) this.dirty.set(key, write);
      }
      if (failures.length > 0) throw failures[0]!.reason;
    });
    const tracked = round.finally(() => {
      if (this.running === tracked) this.running = undefined;
    });
    this.running = tracked;
    return tracked;
  }
}
