import { compareNewestFirst, partitionPoint, type TimePosition } from '../api/pagination.js';

/** Where a command stands in listings: SSM lists commands newest first (RequestedDateTime), ties by CommandId. */
export type CommandPosition = TimePosition;

/** A command record's position. */
export function commandPosition(command: { readonly RequestedDateTime: string; readonly CommandId: string }): CommandPosition {
  return { t: command.RequestedDateTime, id: command.CommandId };
}

/**
 * Every stored command in listing order, so that a page of ListCommands or ListCommandInvocations without a filter
 * that narrows it to one command or one instance reads its own rows and not the whole table (a month of commands to
 * a large fleet is hundreds of thousands of rows). Kept in memory by the CommandService like its InvocationIndex:
 * built at start, added to by SendCommand, told what retention removed.
 */
export class CommandOrder {
  /** Oldest first, the reverse of listing order: a new command (the newest) is appended. */
  private entries: CommandPosition[];

  /** The stored commands, in any order (a start reads them as the store holds them). */
  constructor(stored: Iterable<CommandPosition> = []) {
    this.entries = [...stored].sort((a, b) => compareNewestFirst(b, a));
  }

  add(position: CommandPosition): void {
    // Usually at the end; a command with an older RequestedDateTime (a clock stepped back) goes where it belongs.
    const at = partitionPoint(this.entries.length, (index) => compareNewestFirst(this.entries[index]!, position) > 0);
    // Appending leaves every index a listing under way walks unchanged; anything else makes a new array, as forget does.
    if (at === this.entries.length) this.entries.push(position);
    else this.entries = [...this.entries.slice(0, at), position, ...this.entries.slice(at)];
  }

  /** Retention removed these commands. */
  forget(commandIds: ReadonlySet<string>): void {
    this.entries = this.entries.filter((entry) => !commandIds.has(entry.id));
  }

  /**
   * Command ids in listing order, from the one at `from` (inclusive: it is listed if it exists) or just after it, or
   * from the newest. Commands added while this is read are not in it (they come before anything it has to give).
   */
  *newestFirst(from?: { position: CommandPosition; inclusive: boolean }): Generator<string> {
    const entries = this.entries; // changed only by appending, past where this starts; otherwise replaced
    // The entries listed after `from` (and `from` itself when inclusive) are the oldest ones, at the array's start.
    const start = from
      ? partitionPoint(entries.length, (index) => {
          const order = compareNewestFirst(entries[index]!, from.position);
          return order > 0 || (order === 0 && from.inclusive);
        })
      : entries.length;
    for (let next = start - 1; next >= 0; next--) yield entries[next]!.id;
  }
}
