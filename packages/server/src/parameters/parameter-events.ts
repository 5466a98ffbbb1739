/**
 * What parameter policies raised (expirations and notifications): kept in the store and in memory, read by
 * cursor with Tender.GetParameterEvents (`tender param events --follow` polls it). Event ids are zero-padded
 * sequence numbers, so a cursor compares as text and survives restarts.
 */
import type { Store, Table } from '../store/store.js';

export type ParameterEventType = 'Expired' | 'ExpirationNotification' | 'NoChangeNotification';

export interface ParameterEvent {
  Id: string;
  /** ISO time in the store; epoch seconds on the wire. */
  Time: string;
  Type: ParameterEventType;
  Name: string;
  Version: number;
  Detail: string;
}

/** Events kept; older ones are dropped from the store as new ones arrive. */
export const MAX_KEPT_EVENTS = 10_000;
const ID_WIDTH = 16;

export class ParameterEvents {
  private readonly table: Table<ParameterEvent>;
  private events: ParameterEvent[] = [];
  private next = 1;

  private constructor(store: Store) {
    this.table = store.table<ParameterEvent>('parameter-events');
  }

  static async open(store: Store): Promise<ParameterEvents> {
    const stream = new ParameterEvents(store);
    stream.events = (await stream.table.list()).sort((a, b) => a.Id.localeCompare(b.Id));
    const last = stream.events[stream.events.length - 1];
    stream.next = last ? Number(last.Id) + 1 : 1;
    return stream;
  }

  async append(event: Omit<ParameterEvent, 'Id'>): Promise<ParameterEvent> {
    const stored: ParameterEvent = { Id: String(this.next++).padStart(ID_WIDTH, '0'), ...event };
    this.events.push(stored);
    await this.table.put(stored.Id, stored);
    while (this.events.length > MAX_KEPT_EVENTS) await this.table.delete(this.events.shift()!.Id);
    return stored;
  }

  /** Events after the cursor (all kept ones without it), oldest first, and the cursor to pass next. */
  read(after: string | undefined, max: number): { events: ParameterEvent[]; cursor: string } {
    const start = after === undefined ? 0 : this.events.findIndex((e) => e.Id > after);
    const events = start < 0 ? [] : this.events.slice(start, start + max);
    return { events, cursor: events[events.length - 1]?.Id ?? after ?? '' };
  }
}
