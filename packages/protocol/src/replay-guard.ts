/**
 * Remembers the ids of accepted messages for as long as a replay of them could still pass the time check, so
 * that a captured envelope cannot be delivered twice.
 *
 * Memory is bounded. When more than `maxEntries` ids arrive within one window, the oldest id is forgotten early
 * and the guard raises a "floor" to the highest `ts` it has ever forgotten early; from then on every message with
 * `ts <= floor` is answered 'stale'. Every forgotten id had a ts at or below the floor, so a replay of it is still
 * refused: a bounded cache never lets a replay through. The price is paid by honest messages: under overload,
 * messages whose ts is not newer than the evicted ones (a sender with a slow clock, or a late redelivery) are
 * refused as stale until the clock moves past floor + window, when the ordinary window check takes over. The
 * alternative, silently forgetting ids, would trade that availability for replayability, which we never want.
 *
 * Cost: O(1) amortised per check. Ids are kept in a Map for lookup and in an insertion-ordered queue for
 * eviction. The queue is a separate array because deleting from the front of a V8 Map leaves holes that every
 * "first entry" lookup has to walk over. Expiry is lazy and in arrival order, not ts order: an entry behind a
 * longer-lived one may be kept a little longer than needed, which is only ever safe.
 */
import { DEFAULT_REPLAY_GUARD_ENTRIES, DEFAULT_SKEW_MS } from './limits.js';

export type ReplayVerdict = 'ok' | 'stale' | 'replay';

interface Entry {
  readonly id: string;
  readonly ts: number;
}

export interface ReplayGuardOptions {
  /** How long after its ts an id is remembered; should be at least the receiver's skew window. */
  windowMs?: number;
  /** Most ids remembered at once. */
  maxEntries?: number;
}

export class ReplayGuard {
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly seen = new Map<string, Entry>();
  private queue: Entry[] = [];
  private head = 0;
  private floor = Number.NEGATIVE_INFINITY;

  constructor(options: ReplayGuardOptions = {}) {
    const windowMs = options.windowMs ?? DEFAULT_SKEW_MS;
    const maxEntries = options.maxEntries ?? DEFAULT_REPLAY_GUARD_ENTRIES;
    if (!Number.isFinite(windowMs) || windowMs < 0) {
      throw new RangeError(`replay guard windowMs must be a finite number >= 0, got ${windowMs}`);
    }
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`replay guard maxEntries must be an integer >= 1, got ${maxEntries}`);
    }
    this.windowMs = windowMs;
    this.maxEntries = maxEntries;
  }

  /** Number of ids currently remembered. */
  get size(): number {
    return this.seen.size;
  }

  /**
   * 'stale' if ts is older than the window (or not above the eviction floor), 'replay' if the id is remembered,
   * otherwise 'ok' and the id is remembered until ts + windowMs has passed.
   */
  check(id: string, ts: number, now: number = Date.now()): ReplayVerdict {
    this.expire(now);
    if (!Number.isFinite(ts) || ts < now - this.windowMs) return 'stale';
    if (this.seen.has(id)) return 'replay';
    if (ts <= this.floor) return 'stale';
    if (this.seen.size >= this.maxEntries) this.evictOldest();
    const entry: Entry = { id, ts };
    this.seen.set(id, entry);
    this.queue.push(entry);
    return 'ok';
  }

  private expire(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head] as Entry;
      if (entry.ts >= cutoff) break;
      this.drop(entry);
    }
    this.compact();
  }

  private evictOldest(): void {
    const entry = this.queue[this.head];
    if (entry === undefined) return;
    this.floor = Math.max(this.floor, entry.ts);
    this.drop(entry);
    this.compact();
  }

  private drop(entry: Entry): void {
    this.head += 1;
    // Identity check: only remove the Map entry this queue slot stands for.
    if (this.seen.get(entry.id) === entry) this.seen.delete(entry.id);
  }

  private compact(): void {
    // Reclaim the consumed front of the queue once it is most of the array: amortised O(1) per entry.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    } else if (this.head === this.queue.length && this.head > 0) {
      this.queue = [];
      this.head = 0;
    }
  }
}
