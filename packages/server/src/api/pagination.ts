/**
 * `NextToken` / `MaxResults` the way SSM's List and Describe operations use them.
 *
 * A token is opaque to the caller: base64url of `{"op": <operation>, "s": <state>}`. It carries the
 * operation that issued it so that a token passed to another operation is refused instead of being read
 * as the wrong kind of state. It is not signed: the state is only a position in a listing the caller is
 * allowed to read in full anyway, so a forged token can do no more than skip ahead.
 */
import { ApiError, constraintViolations } from './errors.js';

function invalidNextToken(): ApiError {
  return new ApiError('InvalidNextToken', 'The specified token is not valid.');
}

export function encodeNextToken(state: object, operation: string): string {
  return Buffer.from(JSON.stringify({ op: operation, s: state }), 'utf8').toString('base64url');
}

/**
 * Returns undefined when there is no token (the first page). An empty string counts as no token: some
 * clients send `""` on the first call.
 */
export function decodeNextToken<T>(token: string | undefined, operation: string): T | undefined {
  if (token === undefined || token === '') return undefined;
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalidNextToken();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidNextToken();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidNextToken();
  const { op, s } = parsed as { op?: unknown; s?: unknown };
  if (op !== operation || typeof s !== 'object' || s === null) throw invalidNextToken();
  return s as T;
}

export interface PaginateOptions {
  operation: string;
  maxResults?: number;
  nextToken?: string;
  /** Page size when the caller gives no MaxResults. */
  defaultMax: number;
  /** Smallest MaxResults the operation accepts (AWS's model says; default 1). */
  min?: number;
  max: number;
}

export interface Page<T> {
  page: T[];
  nextToken?: string;
}

interface OffsetState {
  offset: number;
}

/**
 * Offset pagination over a list the caller has already filtered and sorted in a stable order. If the
 * list shrank since the token was issued the offset may point past its end: that is an empty last page,
 * not an error.
 */
export function paginate<T>(items: readonly T[], opts: PaginateOptions): Page<T> {
  const limit = pageSize(opts);
  const state = decodeNextToken<OffsetState>(opts.nextToken, opts.operation);
  const offset = state === undefined ? 0 : state.offset;
  if (!Number.isSafeInteger(offset) || offset < 0) throw invalidNextToken();

  const end = offset + limit;
  const page = items.slice(offset, end);
  if (end >= items.length) return { page };
  return { page, nextToken: encodeNextToken({ offset: end } satisfies OffsetState, opts.operation) };
}

/**
 * Position pagination, for listings that grow and shrink between calls (new commands arrive at the front of
 * ListCommands; retention removes old ones at the back): the token holds the position of the last item returned and
 * the next page starts after it, so an item added or removed between pages neither repeats another nor hides one, as
 * an offset would. `from(after)` yields the listing in order from just after that position (from the start without
 * one), and only as far as it is read: a page of a long listing reads its page and one item more.
 */
export async function pageAfter<T, P extends object>(
  opts: PaginateOptions,
  from: (after: P | undefined) => Iterable<T> | AsyncIterable<T>,
  positionOf: (item: T) => P,
  isPosition: (state: object) => state is P,
): Promise<Page<T>> {
  const limit = pageSize(opts);
  const after = decodeNextToken<object>(opts.nextToken, opts.operation);
  if (after !== undefined && !isPosition(after)) throw invalidNextToken();
  const page: T[] = [];
  for await (const item of from(after)) {
    // One past the page: only then is there a next page to point to (a token that leads to an empty page misleads).
    if (page.length === limit) return { page, nextToken: encodeNextToken(positionOf(page[limit - 1]!), opts.operation) };
    page.push(item);
  }
  return { page };
}

/**
 * What a listing is sorted by, unique per item: a name or id, a version number, or a tuple of them compared element by
 * element (oldest first is [CreatedDate, Id]). Strings compare in code-unit order, numbers by value.
 */
export type SortKey = string | number | readonly (string | number)[];

/** Where an item stands in a listing sorted by its SortKey. */
interface KeyPosition {
  k: SortKey;
}

export function compareKeys(a: SortKey, b: SortKey): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const order = compareKeys(a[i] as string | number, b[i] as string | number);
      if (order !== 0) return order;
    }
    return a.length - b.length;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return ordinal(String(a), String(b));
}

/** A comparator for Array.prototype.sort: the order pageByKey pages a list by `keyOf` in. */
export function byKey<T>(keyOf: (item: T) => SortKey): (a: T, b: T) => number {
  return (a, b) => compareKeys(keyOf(a), keyOf(b));
}

function isSortKey(value: unknown, nested = false): value is SortKey {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return true;
  return !nested && Array.isArray(value) && value.every((element) => isSortKey(element, true));
}

/**
 * A page of a list sorted by a unique key (compareKeys order), from just after the token's key: an item added or
 * removed between pages repeats none and hides none.
 */
export function pageByKey<T>(sorted: readonly T[], keyOf: (item: T) => SortKey, opts: PaginateOptions): Promise<Page<T>> {
  return pageAfter(
    opts,
    (after: KeyPosition | undefined) => itemsAfter(sorted, after, (item, position) => compareKeys(keyOf(item), position.k)),
    (item) => ({ k: keyOf(item) }),
    (state): state is KeyPosition => isSortKey((state as Partial<KeyPosition>).k),
  );
}

/**
 * A position in a listing of records newest first, ties by id: commands (RequestedDateTime, CommandId), association
 * executions (CreatedTime, ExecutionId).
 */
export interface TimePosition {
  /** An ISO 8601 UTC timestamp. */
  t: string;
  id: string;
}

/** Newest first, then by id. */
export function compareNewestFirst(a: TimePosition, b: TimePosition): number {
  return ordinal(b.t, a.t) || ordinal(a.id, b.id);
}

/** A comparator for Array.prototype.sort: the order pageNewestFirst pages a list in. */
export function byNewestFirst<T>(positionOf: (item: T) => TimePosition): (a: T, b: T) => number {
  return (a, b) => compareNewestFirst(positionOf(a), positionOf(b));
}

/** A page of a list sorted newest first (compareNewestFirst), from just after the token's position. */
export function pageNewestFirst<T>(sorted: readonly T[], positionOf: (item: T) => TimePosition, opts: PaginateOptions): Promise<Page<T>> {
  return pageAfter(opts, (after) => itemsAfter(sorted, after, (item, position) => compareNewestFirst(positionOf(item), position)), positionOf, isTimePosition);
}

export function isTimePosition(value: object): value is TimePosition {
  const { t, id } = value as Partial<TimePosition>;
  return typeof t === 'string' && typeof id === 'string';
}

/**
 * Code-unit order: for ISO timestamps and UUIDs the same as localeCompare's, at a fraction of its cost (a listing can
 * sort every record stored).
 */
export function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The items of a sorted list that come after `after` (all of them without it): `from` for pageAfter over an array. */
export function itemsAfter<T, P>(sorted: readonly T[], after: P | undefined, compare: (item: T, position: P) => number): readonly T[] {
  return after === undefined ? sorted : sorted.slice(partitionPoint(sorted.length, (index) => compare(sorted[index]!, after) <= 0));
}

/**
 * Where a list that begins with the items satisfying `isBefore` (and only then has the others) changes over: the
 * count of those items, found by binary search over indexes 0..length-1.
 */
export function partitionPoint(length: number, isBefore: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isBefore(middle)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The page size the caller asked for (MaxResults, checked against the operation's bounds), or the default. */
function pageSize(opts: PaginateOptions): number {
  const min = opts.min ?? 1;
  const limit = opts.maxResults ?? opts.defaultMax;
  if (opts.maxResults !== undefined) {
    if (!Number.isInteger(limit)) {
      throw constraintViolations([{ value: limit, member: 'maxResults', constraint: 'Member must be an integer' }]);
    }
    if (limit < min) {
      throw constraintViolations([
        { value: limit, member: 'maxResults', constraint: `Member must have value greater than or equal to ${min}` },
      ]);
    }
    if (limit > opts.max) {
      throw constraintViolations([
        { value: limit, member: 'maxResults', constraint: `Member must have value less than or equal to ${opts.max}` },
      ]);
    }
  }
  return limit;
}
