import { GetInventoryCommand, GetInventorySchemaCommand, ListInventoryEntriesCommand } from '@aws-sdk/client-ssm';
import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

export default class InventoryGet extends ApiCommand {
  static override summary = 'Show what one instance runs: its types and row counts, or with --type every row of that type.';
  static override examples = ['<%= config.bin %> inventory get mi-0123456789abcdef0', '<%= config.bin %> inventory get mi-0123456789abcdef0 --type AWS:Application', '<%= config.bin %> inventory get mi-0123456789abcdef0 --type AWS:Network --json'];
  static override args = { instance: Args.string({ description: 'managed instance id (mi-...)', required: true }) };
  static override flags = {
    type: Flags.string({ description: 'the type to list (ListInventoryEntries), e.g. AWS:Application' }),
    filter: Flags.string({ description: 'only rows where ATTRIBUTE=VALUE (with --type; repeatable)', multiple: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(InventoryGet);
    await this.connect(flags);
    if (flags.type) {
      const filters = (flags.filter ?? []).map((text) => {
        const at = text.indexOf('=');
        if (at <= 0) this.error(`--filter ${JSON.stringify(text)}: expected ATTRIBUTE=VALUE`, { exit: 2 });
        return { Key: text.slice(0, at), Values: [text.slice(at + 1)], Type: 'Equal' as const };
      });
      const rows: Array<Record<string, string>> = [];
      let meta: { SchemaVersion?: string; CaptureTime?: string } = {};
      let token: string | undefined;
      do {
        const page = await this.ssm.send(new ListInventoryEntriesCommand({ InstanceId: args.instance, TypeName: flags.type, ...(filters.length ? { Filters: filters } : {}), ...(token ? { NextToken: token } : {}) }));
        rows.push(...(page.Entries ?? []));
        meta = { SchemaVersion: page.SchemaVersion, CaptureTime: page.CaptureTime };
        token = page.NextToken;
      } while (token);
      if (flags.json) return this.printJson({ InstanceId: args.instance, TypeName: flags.type, ...meta, Entries: rows });
      const schema = (await this.ssm.send(new GetInventorySchemaCommand({ TypeName: flags.type })).catch(() => undefined))?.Schemas?.[0];
      const present = new Set(rows.flatMap((row) => Object.keys(row)));
      // The schema's order first (Name, Version, ... for applications), then anything else the rows hold.
      const columns = [...(schema?.Attributes ?? []).map((a) => a.Name!).filter((name) => present.has(name)), ...[...present].filter((name) => !schema?.Attributes?.some((a) => a.Name === name))];
      this.log(renderTable(rows, columns));
      this.log(`${rows.length} row(s) of ${flags.type} on ${args.instance}${meta.CaptureTime ? `, captured ${meta.CaptureTime}` : ''}`);
      return;
    }
    // Every type the instance holds: one GetInventory per type known to the schema, narrowed to this instance.
    const schemas = (await this.ssm.send(new GetInventorySchemaCommand({}))).Schemas ?? [];
    const summary: Array<{ TypeName: string; Rows: number; CaptureTime?: string; SchemaVersion?: string }> = [];
    let info: Record<string, string> | undefined;
    for (const schema of schemas) {
      const result = await this.ssm.send(new GetInventoryCommand({ Filters: [{ Key: 'AWS:InstanceInformation.InstanceId', Values: [args.instance], Type: 'Equal' }], ResultAttributes: [{ TypeName: schema.TypeName! }] }));
      const item = result.Entities?.[0]?.Data?.[schema.TypeName!];
      if (!item) continue;
      if (schema.TypeName === 'AWS:InstanceInformation') info = item.Content?.[0];
      summary.push({ TypeName: schema.TypeName!, Rows: item.Content?.length ?? 0, CaptureTime: item.CaptureTime, SchemaVersion: item.SchemaVersion });
    }
    if (!info) this.error(`${args.instance} is not a managed instance of this control plane`, { exit: 3 });
    if (flags.json) return this.printJson({ InstanceId: args.instance, InstanceInformation: info, Types: summary });
    this.log(`${args.instance}  ${info.ComputerName ?? ''}  ${info.PlatformName ?? ''} ${info.PlatformVersion ?? ''} (${info.PlatformType ?? '?'})  agent ${info.AgentVersion ?? '?'}`);
    this.log(renderTable(summary, ['TypeName', 'Rows', 'SchemaVersion', 'CaptureTime']));
  }
}
