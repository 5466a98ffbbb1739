import { Flags } from '@oclif/core';
import { ApiCommand } from '../client/api-command.js';
import { EXIT } from '../client/exit-codes.js';
import { renderTable } from '../client/table.js';

interface AuditRecord {
  seq: number;
  time: string;
  caller: string;
  operation: string;
  resources: string[];
  source: string;
  outcome: string;
  errorCode?: string;
  detail?: string;
}

type Verification = { ok: true; records: number; head: string } | { ok: false; records: number; badSeq: number; line: number; problem: string };

export default class Audit extends ApiCommand {
  static override summary = 'Show the audit trail, or verify that nobody has edited it.';
  static override description =
    'Every API call, registration and refused agent message is one record: time, caller, operation, resources, source and outcome. Records are hash-chained; --verify recomputes the chain and names the first record that does not match (exit code 5).';
  static override examples = [
    '<%= config.bin %> audit --outcome denied',
    '<%= config.bin %> audit --operation AmazonSSM.DeregisterManagedInstance --since 2026-11-01 --json',
    '<%= config.bin %> audit --verify',
  ];
  static override flags = {
    verify: Flags.boolean({ description: 'verify the hash chain instead of listing', default: false }),
    since: Flags.string({ description: 'only records at or after this time (ISO 8601)' }),
    until: Flags.string({ description: 'only records at or before this time (ISO 8601)' }),
    caller: Flags.string({ description: 'only this caller (ARN, agent:mi-..., activation:...)' }),
    operation: Flags.string({ description: 'only this operation (e.g. AmazonSSM.CreateActivation, mqtt:message)' }),
    outcome: Flags.string({ description: 'only this outcome', options: ['success', 'denied', 'error', 'rejected'] }),
    limit: Flags.integer({ description: 'at most this many records', default: 1000, min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Audit);
    await this.connect(flags);
    if (flags.verify) {
      const result = await this.tender<Verification>('VerifyAuditTrail');
      if (flags.json) this.printJson(result);
      else if (result.ok) this.log(`audit trail intact: ${result.records} records, head ${result.head}`);
      if (!result.ok) {
        this.error(`audit trail TAMPERED: record ${result.badSeq} (line ${result.line}): ${result.problem}`, { exit: EXIT.tampered });
      }
      return;
    }
    const time = (value: string | undefined, name: string) => {
      if (value === undefined) return undefined;
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) this.error(`--${name} ${value} is not a date`, { exit: EXIT.usage });
      return ms / 1000;
    };
    const result = await this.tender<{ Events: AuditRecord[] }>('ListAuditEvents', {
      StartTime: time(flags.since, 'since'),
      EndTime: time(flags.until, 'until'),
      Caller: flags.caller,
      Operation: flags.operation,
      Outcome: flags.outcome,
      MaxResults: flags.limit,
    });
    if (flags.json) return this.printJson(result.Events);
    this.log(renderTable(result.Events.map((e) => ({ ...e, resources: e.resources.join(','), error: e.errorCode })), ['seq', 'time', 'outcome', 'operation', 'caller', 'source', 'error', 'resources']));
  }
}
