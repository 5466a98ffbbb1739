/**
 * GetInventory's Filters and Aggregators, evaluated over the columnar index.
 *
 * Semantics (where SSM's documentation is silent, the choice is written here):
 * - Filters are ANDed. Filters on the same type must hold for the same row ("openssl older than 3.0.7" means a
 *   row named openssl whose version is below 3.0.7, not any openssl and any old package); filters on different
 *   types each need a matching row of their own type.
 * - A filter's Values are alternatives (Equal: any of them; NotEqual: none of them; BeginWith: any prefix).
 *   LessThan and GreaterThan take exactly one value and compare as version-compare.ts says.
 * - `TypeName` with Exists (or Equal) matches instances holding any of the named types; with NotEqual, none.
 *   `Type.Attribute` with Exists matches rows that have the attribute. A row lacking an attribute matches only
 *   NotEqual on it.
 * - With ResultAttributes, an entity's rows of that type are the ones matching the filters on that type.
 * - An aggregator `Type.Attribute` (with nested aggregators, a path of them) counts the instances that have
 *   each distinct combination of values, among the instances and rows the filters select. Groups count the
 *   instances matching / not matching each group's filters.
 */
import { ApiError } from '../api/errors.js';
import { ABSENT, decodeRows, type IndexedItem, type TypeColumns } from './inventory-index.js';
import type { InventoryRow } from './inventory-records.js';
import { compareAttributeValues } from './version-compare.js';

export const FILTER_OPERATORS = ['Equal', 'NotEqual', 'BeginWith', 'LessThan', 'GreaterThan', 'Exists'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface InventoryFilterInput {
  Key: string;
  Values: string[];
  Type?: FilterOperator;
}

export interface InventoryGroupInput {
  Name: string;
  Filters: InventoryFilterInput[];
}

export interface InventoryAggregatorInput {
  Expression?: string;
  Aggregators?: InventoryAggregatorInput[];
  Groups?: InventoryGroupInput[];
}

/** What a query reads: the registered instances in id order, and their types as columns. */
export interface QuerySource {
  instanceIds: readonly string[];
  table(typeName: string): TypeColumns | undefined;
  item(instanceId: string, typeName: string): IndexedItem | undefined;
  /** Whether the type exists (a schema or data), and whether it has the attribute. */
  hasType(typeName: string): boolean;
  hasAttribute(typeName: string, attribute: string): boolean;
}

type ValueTest = (value: string) => boolean;

interface AttributeCondition {
  attribute: string;
  operator: FilterOperator;
  test: ValueTest;
}

interface TypeCondition {
  typeNames: string[];
  present: boolean;
}

/** Filters split into row conditions per type and conditions on which types an instance holds. */
export interface CompiledFilters {
  rows: Map<string, AttributeCondition[]>;
  types: TypeCondition[];
}

/** `AWS:Application.Name` → type and attribute (split at the last dot: custom type names may hold dots). */
export function splitAttributeKey(key: string): { typeName: string; attribute: string } | undefined {
  const dot = key.lastIndexOf('.');
  if (dot <= 0 || dot === key.length - 1) return undefined;
  const typeName = key.slice(0, dot);
  if (!/^(AWS|Custom):.+/.test(typeName)) return undefined;
  return { typeName, attribute: key.slice(dot + 1) };
}

function valueTest(attribute: string, operator: FilterOperator, values: string[], fail: (message: string) => ApiError): ValueTest {
  switch (operator) {
    case 'Equal': {
      const set = new Set(values);
      return (value) => set.has(value);
    }
    case 'NotEqual': {
      const set = new Set(values);
      return (value) => !set.has(value);
    }
    case 'BeginWith':
      return (value) => values.some((prefix) => value.startsWith(prefix));
    case 'LessThan':
    case 'GreaterThan': {
      if (values.length !== 1) throw fail(`${operator} takes exactly one value to compare with; got ${values.length}`);
      const bound = values[0]!;
      return operator === 'LessThan' ? (value) => compareAttributeValues(attribute, value, bound) < 0 : (value) => compareAttributeValues(attribute, value, bound) > 0;
    }
    case 'Exists':
      return () => true;
  }
}

/**
 * Parse and check filters against what exists. `errorCode` is InvalidFilter for GetInventory's Filters and
 * InvalidInventoryGroupException inside a group.
 */
export function compileFilters(filters: readonly InventoryFilterInput[], source: QuerySource, errorCode = 'InvalidFilter'): CompiledFilters {
  const fail = (message: string) => new ApiError(errorCode, message);
  const compiled: CompiledFilters = { rows: new Map(), types: [] };
  for (const filter of filters) {
    const operator = filter.Type ?? 'Equal';
    if (!FILTER_OPERATORS.includes(operator)) throw fail(`filter type ${JSON.stringify(operator)} is not one of ${FILTER_OPERATORS.join(', ')}`);
    if (filter.Key === 'TypeName') {
      if (operator !== 'Exists' && operator !== 'Equal' && operator !== 'NotEqual') throw fail(`the TypeName filter takes Exists, Equal or NotEqual, not ${operator}`);
      for (const name of filter.Values) if (!source.hasType(name)) throw fail(`the inventory type ${JSON.stringify(name)} does not exist: GetInventorySchema lists the types`);
      compiled.types.push({ typeNames: filter.Values, present: operator !== 'NotEqual' });
      continue;
    }
    const key = splitAttributeKey(filter.Key);
    if (!key) throw fail(`the filter key ${JSON.stringify(filter.Key)} is not TypeName or <type>.<attribute> (e.g. AWS:Application.Name)`);
    if (!source.hasType(key.typeName)) throw fail(`the inventory type ${JSON.stringify(key.typeName)} in filter key ${filter.Key} does not exist: GetInventorySchema lists the types`);
    if (!source.hasAttribute(key.typeName, key.attribute)) throw fail(`the inventory type ${key.typeName} has no attribute ${JSON.stringify(key.attribute)}: GetInventorySchema lists its attributes`);
    const conditions = compiled.rows.get(key.typeName) ?? [];
    conditions.push({ attribute: key.attribute, operator, test: valueTest(key.attribute, operator, filter.Values, fail) });
    compiled.rows.set(key.typeName, conditions);
  }
  return compiled;
}

/** A row test over one type's columns, deciding each distinct value once (memoised by dictionary code). */
class RowMatcher {
  private readonly parts: Array<{ position: number | undefined; operator: FilterOperator; test: ValueTest; memo: Int8Array; values: readonly string[] }>;

  constructor(table: TypeColumns | undefined, conditions: readonly AttributeCondition[]) {
    this.parts = conditions.map((condition) => {
      const position = table?.attributeIndex(condition.attribute);
      const values = position === undefined ? [] : table!.dictionaries[position]!.values;
      return { position, operator: condition.operator, test: condition.test, memo: new Int8Array(values.length), values };
    });
  }

  matches(item: IndexedItem, i: number): boolean {
    for (const part of this.parts) {
      const column = part.position === undefined ? undefined : item.columns[part.position];
      const code = column === undefined ? ABSENT : column[i]!;
      if (code === ABSENT) {
        if (part.operator !== 'NotEqual') return false;
        continue;
      }
      let decided = part.memo[code]!;
      if (decided === 0) {
        decided = part.test(part.values[code]!) ? 1 : 2;
        part.memo[code] = decided;
      }
      if (decided !== 1) return false;
    }
    return true;
  }
}

/** Filters ready to run: per type a row matcher. */
export class InstanceSelector {
  private readonly matchers = new Map<string, RowMatcher>();

  constructor(
    private readonly source: QuerySource,
    private readonly filters: CompiledFilters,
  ) {
    for (const [typeName, conditions] of filters.rows) this.matchers.set(typeName, new RowMatcher(source.table(typeName), conditions));
  }

  /** Whether the instance passes every filter. */
  matches(instanceId: string): boolean {
    for (const condition of this.filters.types) {
      const holds = condition.typeNames.some((name) => this.source.item(instanceId, name) !== undefined);
      if (holds !== condition.present) return false;
    }
    for (const [typeName, matcher] of this.matchers) {
      const item = this.source.item(instanceId, typeName);
      if (!item) return false;
      let any = false;
      for (let i = 0; i < item.rowCount && !any; i++) any = matcher.matches(item, i);
      if (!any) return false;
    }
    return true;
  }

  /** The row test the filters put on a type, if any. */
  rowTest(typeName: string, item: IndexedItem): ((i: number) => boolean) | undefined {
    const matcher = this.matchers.get(typeName);
    return matcher ? (i) => matcher.matches(item, i) : undefined;
  }

  /** The rows of a type on an instance that the filters on that type select. */
  rows(instanceId: string, typeName: string): InventoryRow[] | undefined {
    const item = this.source.item(instanceId, typeName);
    const table = this.source.table(typeName);
    if (!item || !table) return undefined;
    return decodeRows(table, item, this.rowTest(typeName, item));
  }
}

// ---- Aggregators -------------------------------------------------------------------------------------------

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

/**
 * Count, for one path, the instances per distinct combination of values. Combinations are keyed by a number
 * (mixed radix over the dictionary codes) when they fit in one, which keeps a million rows to integer work.
 */
function aggregatePath(path: PathStep[], instanceIds: readonly string[], source: QuerySource, selector: InstanceSelector): InventoryRow[] {
  const types = [...new Set(path.map((step) => step.typeName))];
  const positions = path.map((step) => source.table(step.typeName)?.attributeIndex(step.attribute));
  if (positions.some((position) => position === undefined)) return [];
  const sizes = path.map((step, k) => Math.max(1, source.table(step.typeName)!.dictionaries[positions[k]!]!.values.length));
  const numeric = sizes.reduce((product, size) => product * size, 1) < Number.MAX_SAFE_INTEGER;
  const counts = new Map<number | string, number>();
  const decodeKey = new Map<number | string, number[]>();

  for (const instanceId of instanceIds) {
    // Per type: the distinct code tuples of that type's path attributes over the selected rows.
    let partials: number[][] = [[]];
    let missing = false;
    for (const typeName of types) {
      const item = source.item(instanceId, typeName);
      if (!item) {
        missing = true;
        break;
      }
      const steps = path.map((step, k) => (step.typeName === typeName ? k : -1)).filter((k) => k >= 0);
      const columns = steps.map((k) => item.columns[positions[k]!]);
      if (columns.some((column) => column === undefined)) {
        missing = true;
        break;
      }
      const rowTest = selector.rowTest(typeName, item);
      const tuples = new Map<number | string, number[]>();
      rows: for (let i = 0; i < item.rowCount; i++) {
        if (rowTest && !rowTest(i)) continue;
        // The key is computed without allocating; the codes array only for a combination not seen yet.
        let key: number | string = numeric ? 0 : '';
        for (let j = 0; j < columns.length; j++) {
          const code = columns[j]![i]!;
          if (code === ABSENT) continue rows;
          key = numeric ? (key as number) * sizes[steps[j]!]! + code : `${key as string},${code}`;
        }
        if (!tuples.has(key)) tuples.set(key, columns.map((column) => column![i]!));
      }
      if (tuples.size === 0) {
        missing = true;
        break;
      }
      // Combine with the tuples of the types before, placing each code at its step's position.
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
    if (missing) continue;
    const seen = new Set<number | string>();
    for (const codes of partials) {
      let key: number | string;
      if (numeric) {
        let value = 0;
        for (let k = 0; k < codes.length; k++) value = value * sizes[k]! + codes[k]!;
        key = value;
      } else {
        key = codes.join(',');
      }
      if (seen.has(key)) continue;
      seen.add(key);
      const count = counts.get(key);
      if (count === undefined) {
        counts.set(key, 1);
        decodeKey.set(key, codes);
      } else {
        counts.set(key, count + 1);
      }
    }
  }

  const rows: InventoryRow[] = [];
  for (const [key, count] of counts) {
    const codes = decodeKey.get(key)!;
    const row: InventoryRow = {};
    path.forEach((step, k) => (row[step.attribute] = source.table(step.typeName)!.dictionaries[positions[k]!]!.values[codes[k]!]!));
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
