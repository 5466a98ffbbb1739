/**
 * The control plane's storage contract. Each capability keeps its records in named tables of JSON values
 * keyed by id. The embedded default keeps them in one local file (FileStore); a PostgreSQL adapter for large
 * fleets and several replicas implements the same interface.
 */
/** A value that may be shared: nothing in it can be changed (the store enforces it by freezing what it hands out). */
export type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/**
 * Freezes a value and everything in it, in place, once, so that it can be shared: the store's rows (safe because the
 * store never changes a row in place; a change replaces it with a copy), an access key's policy. Children are frozen
 * before their parent, so a frozen top means a frozen whole and a second call returns at once.
 */
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}

export interface Table<T> {
  /** The caller's own copy of a record, to change as it likes (changing it changes nothing stored). */
  get(key: string): Promise<T | undefined>;
  /**
   * The record itself, frozen, for callers that only read it: no copy is made, which is what keeps a hot read
   * path (GetParameter on a record holding 100 versions) cheap. Writers use get/update, which copy.
   */
  read(key: string): Promise<DeepReadonly<T> | undefined>;
  /** Every record; small tables only (callers filter and paginate). */
  list(): Promise<T[]>;
  /** Every record, shared and frozen as read() gives them: for callers that only read. */
  readAll(): Promise<Array<DeepReadonly<T>>>;
  /** Insert or replace, durably, before resolving. */
  put(key: string, value: T): Promise<void>;
  /** Insert only when the key is free; false when it was taken. */
  insert(key: string, value: T): Promise<boolean>;
  /**
   * Read-modify-write as one step: `change` sees the current record (or undefined) and returns the new one,
   * or undefined to leave it as it is. Throwing inside `change` aborts with nothing written.
   */
  update(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined>;
  delete(key: string): Promise<boolean>;
}

export interface Store {
  table<T>(name: string): Table<T>;
  close(): Promise<void>;
}
