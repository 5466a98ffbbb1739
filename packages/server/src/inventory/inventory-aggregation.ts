/**
 * GetInventory's Aggregators over the columnar index (the semantics are in inventory-query.ts): per expression
 * path, the number of instances per distinct combination of values; per group, the instances matching or not.
 */
import { ApiError } from '../api/errors.js';
import { ABSENT } from './inventory-index.js';
import { compileFilters, InstanceSelector, splitAttributeKey, type InventoryAggregatorInput, type QuerySource } from './inventory-query.js';
import type { InventoryRow } from './inventory-records.js';
import { compareAttributeValues } from './version-compare.js';

interface PathStep {
  typeName: string;
  attribute: string;
}

export interface AggregatedItem {
  TypeName?: string;
  SchemaVersion?: string;
  Content: InventoryRow[];
}

const MAX_DEPTH = 10;

function parseExpression(expression: string, source: QuerySource): PathStep {
  const key = splitAttributeKey(expression);
  if (!key) throw new ApiError('InvalidAggregatorException', `the aggregator expression ${JSON.stringify(expression)} is not <type>.<attribute> (e.g. AWS:Application.Name)`);
  if (!source.hasType(key.typeName)) throw new ApiError('InvalidAggregatorException', `the inventory type ${JSON.stringify(key.typeName)} in aggregator ${expression} does not exist`);
  if (!source.hasAttribute(key.typeName, key.attribute)) throw new ApiError('InvalidAggregatorException', `the inventory type ${key.typeName} has no attribute ${JSON.stringify(key.attribute)}`);
  return key;
}

/** Every root-to-leaf path of an aggregator tree. */
function paths(aggregator: InventoryAggregatorInput, source: QuerySource, prefix: PathStep[] = []): PathStep[][] {
  if (aggregator.Groups !== undefined) throw new ApiError('InvalidAggregatorException', 'Groups are allowed only in a top-level aggregator');
  if (aggregator.Expression === undefined) throw new ApiError('InvalidAggregatorException', 'a nested aggregator needs an Expression');
  const path = [...prefix, parseExpression(aggregator.Expression, source)];
  if (path.length > MAX_DEPTH) throw new ApiError('InvalidAggregatorException', `aggregators nest at most ${MAX_DEPTH} deep`);
  if (!aggregator.Aggregators?.length) return [path];
  return aggregator.Aggregators.flatMap((child) => paths(child, source, path));
}

/** Validate the aggregators before anything runs, so a bad one fails the call instead of half an answer. */
export function checkAggregators(aggregators: readonly InventoryAggregatorInput[], source: QuerySource): void {
  const groupNames = new Set<string>();
  for (const aggregator of aggregators) {
    if (aggregator.Groups !== undefined) {
      if (aggregator.Expression !== undefined || aggregator.Aggregators !== undefined) {
        throw new ApiError('InvalidAggregatorException', 'an aggregator has either an Expression (with optional nested Aggregators) or Groups, not both');
      }
      for (const group of aggregator.Groups) {
        if (groupNames.has(group.Name)) throw new ApiError('InvalidInventoryGroupException', `the group name ${JSON.stringify(group.Name)} is used twice`);
        groupNames.add(group.Name);
        compileFilters(group.Filters, source, 'InvalidInventoryGroupException');
      }
    } else {
      paths(aggregator, source);
    }
  }
}

/** A combination of codes as one key: a number (mixed radix over the dictionary sizes) when it fits, else text. */
class ComboKeys {
  readonly numeric: boolean;
  constructor(readonly sizes: readonly number[]) {
    this.numeric = sizes.reduce((product, size) => product * size, 1) < Number.MAX_SAFE_INTEGER;
  }

  get product(): number {
    return this.sizes.reduce((product, size) => product * size, 1);
  }

  key(codes: readonly number[]): number | string {
    if (!this.numeric) return codes.join(',');
    let value = 0;
    for (let k = 0; k < codes.length; k++) value = value * this.sizes[k]! + codes[k]!;
    return value;
  }

  codes(key: number | string): number[] {
    if (typeof key === 'string') return key.split(',').map(Number);
    const codes = new Array<number>(this.sizes.length);
    for (let k = this.sizes.length - 1; k >= 0; k--) {
      codes[k] = key % this.sizes[k]!;
      key = Math.floor(key / this.sizes[k]!);
    }
    return codes;
  }
}

/** Counts of instances per key, each instance counted once per key (`last` remembers who counted last). */
class InstanceCounter {
  private readonly dense: { counts: Int32Array; last: Int32Array } | undefined;
  private readonly sparse = new Map<number | string, { count: number; last: number }>();

  constructor(private readonly keys: ComboKeys) {
    // Up to 256 Ki combinations (2 MB of counters), typed arrays: no allocation and no hashing per row. Beyond,
    // allocating and scanning the arrays would cost more than a map of the combinations that occur.
    if (keys.numeric && keys.product <= 1 << 18) this.dense = { counts: new Int32Array(keys.product), last: new Int32Array(keys.product).fill(-1) };
  }

  add(key: number | string, instance: number): void {
    const dense = this.dense;
    if (dense && typeof key === 'number') {
      if (dense.last[key] !== instance) {
        dense.last[key] = instance;
        dense.counts[key]!++;
      }
      return;
    }
    const entry = this.sparse.get(key);
    if (!entry) this.sparse.set(key, { count: 1, last: instance });
    else if (entry.last !== instance) {
      entry.count++;
      entry.last = instance;
    }
  }

  /** Every code of one column (a one-attribute path without row filters): the tightest loop there is. */
  addColumn(column: Int32Array, instance: number): void {
    const dense = this.dense;
    if (!dense) {
      for (let i = 0; i < column.length; i++) if (column[i] !== ABSENT) this.add(column[i]!, instance);
      return;
    }
    const { counts, last } = dense;
    for (let i = 0; i < column.length; i++) {
      const code = column[i]!;
      if (code !== ABSENT && last[code] !== instance) {
        last[code] = instance;
        counts[code]!++;
      }
    }
  }

  *entries(): Iterable<[number[], number]> {
    if (this.dense) {
      const { counts } = this.dense;
      for (let key = 0; key < counts.length; key++) if (counts[key]! > 0) yield [this.keys.codes(key), counts[key]!];
    }
    for (const [key, entry] of this.sparse) yield [this.keys.codes(key), entry.count];
  }
}

/**
 * Count, for one path, the instances per distinct combination of values. The codes of one type's attributes
 * come from the same row; across types, every combination of an instance's rows counts.
 */
function aggregatePath(path: PathStep[], instanceIds: readonly string[], source: QuerySource, selector: InstanceSelector): InventoryRow[] {
  const types = [...new Set(path.map((step) => step.typeName))];
  const positions = path.map((step) => source.table(step.typeName)?.attributeIndex(step.attribute));
  if (positions.some((position) => position === undefined)) return [];
  const dictionaries = path.map((step, k) => source.table(step.typeName)!.dictionaries[positions[k]!]!);
  const keys = new ComboKeys(dictionaries.map((dictionary) => Math.max(1, dictionary.values.length)));
  const counter = new InstanceCounter(keys);
  const stepsOf = types.map((typeName) => path.map((step, k) => (step.typeName === typeName ? k : -1)).filter((k) => k >= 0));

  instanceIds.forEach((instanceId, ordinal) => {
    if (types.length === 1) {
      // The common case, kept to integer work per row: one type, its rows' codes straight into the counter.
      const item = source.item(instanceId, types[0]!);
      if (!item) return;
      const columns = positions.map((position) => item.columns[position!]);
      if (columns.some((column) => column === undefined)) return;
      if (columns.length === 1 && !selector.filtersRowsOf(types[0]!)) return counter.addColumn(columns[0]!, ordinal);
      const codes = new Array<number>(columns.length);
      selector.forEachRow(types[0]!, item, (i) => {
        for (let j = 0; j < columns.length; j++) {
          const code = columns[j]![i]!;
          if (code === ABSENT) return;
          codes[j] = code;
        }
        counter.add(keys.key(codes), ordinal);
      });
      return;
    }
    // Across types: the distinct code tuples of each type's selected rows, then every combination of them.
    let partials: number[][] = [[]];
    for (const [t, typeName] of types.entries()) {
      const item = source.item(instanceId, typeName);
      if (!item) return;
      const steps = stepsOf[t]!;
      const columns = steps.map((k) => item.columns[positions[k]!]);
      if (columns.some((column) => column === undefined)) return;
      const tuples = new Map<string, number[]>();
      selector.forEachRow(typeName, item, (i) => {
        const codes: number[] = [];
        for (const column of columns) {
          const code = column![i]!;
          if (code === ABSENT) return;
          codes.push(code);
        }
        tuples.set(codes.join(','), codes);
      });
      if (tuples.size === 0) return;
      const next: number[][] = [];
      for (const partial of partials) {
        for (const codes of tuples.values()) {
          const combined = partial.slice();
          steps.forEach((k, j) => (combined[k] = codes[j]!));
          next.push(combined);
        }
      }
      partials = next;
    }
    for (const codes of partials) counter.add(keys.key(codes), ordinal);
  });

  const rows: InventoryRow[] = [];
  for (const [codes, count] of counter.entries()) {
    const row: InventoryRow = {};
    path.forEach((step, k) => (row[step.attribute] = dictionaries[k]!.values[codes[k]!]!));
    row.Count = String(count);
    rows.push(row);
  }
  const order = path.map((step) => step.attribute);
  return rows.sort((a, b) => {
    for (const attribute of order) {
      const difference = compareAttributeValues(attribute, a[attribute]!, b[attribute]!);
      if (difference !== 0) return difference;
    }
    return 0;
  });
}

/**
 * Run validated aggregators over the instances the filters selected (`selected`, in id order). The result is
 * one entity's Data: per expression aggregator, its root type's counts; per group, its matching counts.
 */
export function runAggregators(
  aggregators: readonly InventoryAggregatorInput[],
  selected: readonly string[],
  source: QuerySource,
  selector: InstanceSelector,
  schemaVersion: (typeName: string) => string,
): Record<string, AggregatedItem> {
  const data: Record<string, AggregatedItem> = {};
  for (const aggregator of aggregators) {
    if (aggregator.Groups !== undefined) {
      for (const group of aggregator.Groups) {
        const groupSelector = new InstanceSelector(source, compileFilters(group.Filters, source, 'InvalidInventoryGroupException'));
        const matching = selected.filter((id) => groupSelector.matches(id)).length;
        data[group.Name] = { Content: [{ notMatchingCount: String(selected.length - matching) }, { matchingCount: String(matching) }] };
      }
      continue;
    }
    for (const path of paths(aggregator, source)) {
      const typeName = path[0]!.typeName;
      const entry = (data[typeName] ??= { TypeName: typeName, SchemaVersion: schemaVersion(typeName), Content: [] });
      entry.Content.push(...aggregatePath(path, selected, source, selector));
    }
  }
  return data;
}
