import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';

interface HistoryEntry {
  Time: string;
  TypeName: string;
  CaptureTime?: string;
  Reason?: string;
  Added: Array<Record<string, string>>;
  Removed: Array<Record<string, string>>;
  Changed: Array<{ Before: Record<string, string>; After: Record<string, string> }>;
}

/** A row in one line: its name and version when it has them (applications, components), else its attributes. */
function describeRow(row: Record<string, string>): string {
  const name = row.Name ?? row.HotFixId ?? row.KeyPath;
  if (name !== undefined) return [name, row.Version ?? row.ValueName, row.Architecture].filter(Boolean).join(' ');
  return Object.entries(row).map(([key, value]) => `${key}=${value}`).join(' ');
}

/** What differs between two rows of the same identity: `Version: 3.0.2 → 3.0.11`. */
function describeChange(before: Record<string, string>, after: Record<string, string>): string {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => before[name] !== after[name]);
  return names.map((name) => `${name}: ${before[name] ?? '-'} → ${after[name] ?? '-'}`).join(', ');
}

export default class InventoryHistory extends ApiCommand {
  static override summary = 'Show what changed in an instance\'s inventory, and when (Tender.GetInventoryHistory), newest first.';
  static override examples = ['<%= config.bin %> inventory history mi-0123456789abcdef0', '<%= config.bin %> inventory history mi-0123456789abcdef0 --type AWS:Application --limit 5 --json'];
  static override args = { instance: Args.string({ description: 'managed instance id (mi-...)', required: true }) };
  static override flags = {
    type: Flags.string({ description: 'only changes to this type, e.g. AWS:Application' }),
    limit: Flags.integer({ description: 'at most this many changes', min: 1, default: 20 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(InventoryHistory);
    await this.connect(flags);
    const entries: HistoryEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.tender<{ Entries: HistoryEntry[]; NextToken?: string }>('GetInventoryHistory', {
        InstanceId: args.instance,
        ...(flags.type ? { TypeName: flags.type } : {}),
        MaxResults: Math.min(50, flags.limit - entries.length),
        ...(token ? { NextToken: token } : {}),
      });
      entries.push(...page.Entries);
      token = page.NextToken;
    } while (token && entries.length < flags.limit);
    if (flags.json) return this.printJson(entries);
    if (entries.length === 0) return this.log(`no inventory changes recorded for ${args.instance}${flags.type ? ` (${flags.type})` : ''}`);
    for (const entry of entries) {
      const counts = `+${entry.Added.length} -${entry.Removed.length} ~${entry.Changed.length}`;
      this.log(`${entry.Time}  ${entry.TypeName}  ${counts}${entry.Reason ? `  (${entry.Reason})` : ''}`);
      for (const row of entry.Added) this.log(`  + ${describeRow(row)}`);
      for (const row of entry.Removed) this.log(`  - ${describeRow(row)}`);
      for (const change of entry.Changed) this.log(`  ~ ${describeRow(change.Before)}: ${describeChange(change.Before, change.After)}`);
    }
  }
}
