/**
 * The control plane's storage contract. Each capability keeps its records in named tables of JSON values
 * keyed by id. The embedded default keeps them in one local file (FileStore); a PostgreSQL adapter for large
 * fleets and several replicas implements the same interface.
 */
export interface Table<T> {
  get(key: string): Promise<T | undefined>;
  /** Every record; small tables only (callers filter and paginate). */
  list(): Promise<T[]>;
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
