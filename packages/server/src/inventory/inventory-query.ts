/**
 * GetInventory's Filters, evaluated over the columnar index (Aggregators: inventory-aggregation.ts).
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
import { ABSENT, decodeRow, type IndexedItem, type TypeColumns } from './inventory-index.js';
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
  values: readonly string[];
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
    conditions.push({ attribute: key.attribute, operator, values: filter.Values, test: valueTest(key.attribute, operator, filter.Values, fail) });
    compiled.rows.set(key.typeName, conditions);
  }
  return compiled;
}

/**
 * A row test over one type's columns, deciding each distinct value once (memoised by dictionary code). An
 * Equal on one value is the anchor when there is one: its code is looked up once and the rows holding it are
 * found with Int32Array.indexOf (native), so "Name Equal openssl" over a thousand rows costs almost nothing.
 */
class RowMatcher {
  private readonly parts: Array<{ position: number | undefined; operator: FilterOperator; test: ValueTest; memo: Int8Array; values: readonly string[] }>;
  /** The anchor's attribute position and code; code undefined when no row anywhere holds the value. */
  private readonly anchor: { position: number; code: number | undefined } | undefined;

  constructor(table: TypeColumns | undefined, conditions: readonly AttributeCondition[]) {
    this.parts = conditions.map((condition) => {
      const position = table?.attributeIndex(condition.attribute);
      const values = position === undefined ? [] : table!.dictionaries[position]!.values;
      return { position, operator: condition.operator, test: condition.test, memo: new Int8Array(values.length), values };
    });
    const anchor = conditions.findIndex((condition) => condition.operator === 'Equal' && condition.values.length === 1);
    const position = anchor >= 0 ? this.parts[anchor]!.position : undefined;
    this.anchor = anchor < 0 ? undefined : { position: position ?? -1, code: position === undefined ? undefined : table!.dictionaries[position]!.find(conditions[anchor]!.values[0]!) };
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

  /** Call `found` with each matching row, in order; stop when it returns false. */
  forEachMatch(item: IndexedItem, found: (i: number) => boolean | void): void {
    if (this.anchor) {
      const column = this.anchor.code === undefined ? undefined : item.columns[this.anchor.position];
      if (column === undefined) return;
      for (let i = column.indexOf(this.anchor.code!); i >= 0; i = column.indexOf(this.anchor.code!, i + 1)) {
        if (this.matches(item, i) && found(i) === false) return;
      }
      return;
    }
    for (let i = 0; i < item.rowCount; i++) if (this.matches(item, i) && found(i) === false) return;
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
      matcher.forEachMatch(item, () => {
        any = true;
        return false;
      });
      if (!any) return false;
    }
    return true;
  }

  filtersRowsOf(typeName: string): boolean {
    return this.matchers.has(typeName);
  }

  /** Each row of a type that the filters on that type select (every row when there are none). */
  forEachRow(typeName: string, item: IndexedItem, found: (i: number) => void): void {
    const matcher = this.matchers.get(typeName);
    if (matcher) matcher.forEachMatch(item, found);
    else for (let i = 0; i < item.rowCount; i++) found(i);
  }

  /** The rows of a type on an instance that the filters on that type select. */
  rows(instanceId: string, typeName: string): InventoryRow[] | undefined {
    const item = this.source.item(instanceId, typeName);
    const table = this.source.table(typeName);
    if (!item || !table) return undefined;
    const rows: InventoryRow[] = [];
    this.forEachRow(typeName, item, (i) => void rows.push(decodeRow(table, item, i)));
    return rows;
  }
}
