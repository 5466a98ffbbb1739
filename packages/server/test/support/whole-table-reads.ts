import type { Store } from '../../src/store/store.js';

/**
 * The store as it is, except that reads of a whole table (list, readAll) of `tableName` are counted: a test can show
 * that a path reads only the rows it needs. `count` starts at 0; tests reset it when a start-up read is not the point.
 */
export class WholeTableReads {
  count = 0;
  readonly store: Store;

  constructor(inner: Store, tableName: string) {
    this.store = {
      table: <T>(name: string) => {
        const table = inner.table<T>(name);
        if (name !== tableName) return table;
        return {
          ...table,
          list: () => ((this.count += 1), table.list()),
          readAll: () => ((this.count += 1), table.readAll()),
        };
      },
      close: () => inner.close(),
    };
  }
}
