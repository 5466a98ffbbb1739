/**
 * Sets of values by key, for the in-memory indexes services keep beside the store (an execution's hosts, a command's
 * instances): a key with no values is not kept.
 */
export class KeyedSets {
  private readonly sets = new Map<string, Set<string>>();

  add(key: string, value: string): void {
    let values = this.sets.get(key);
    if (!values) this.sets.set(key, (values = new Set()));
    values.add(value);
  }

  get(key: string): ReadonlySet<string> {
    return this.sets.get(key) ?? NONE;
  }

  /** Removes one value from a key's set. */
  remove(key: string, value: string): void {
    const values = this.sets.get(key);
    values?.delete(value);
    if (values?.size === 0) this.sets.delete(key);
  }

  /** Removes a key with all its values. */
  delete(key: string): void {
    this.sets.delete(key);
  }
}

const NONE: ReadonlySet<string> = new Set();
