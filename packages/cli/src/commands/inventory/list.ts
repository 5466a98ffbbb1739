import { paginateGetInventory, paginateGetInventorySchema, type InventoryItemSchema, type InventoryResultEntity } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

export default class InventoryList extends ApiCommand {
  static override summary = 'List the inventoried instances (GetInventory), or with --types the inventory types (GetInventorySchema).';
  static override examples = ['<%= config.bin %> inventory list', '<%= config.bin %> inventory list --has Custom:RackInfo', '<%= config.bin %> inventory list --types --json'];
  static override flags = {
    has: Flags.string({ description: 'only instances that hold this type (e.g. AWS:Application, Custom:RackInfo)' }),
    types: Flags.boolean({ description: 'list the inventory types and their attributes instead', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(InventoryList);
    await this.connect(flags);
    if (flags.types) {
      const schemas: InventoryItemSchema[] = [];
      for await (const page of paginateGetInventorySchema({ client: this.ssm }, {})) schemas.push(...(page.Schemas ?? []));
      if (flags.json) return this.printJson(schemas);
      this.log(renderTable(schemas.map((schema) => ({ TypeName: schema.TypeName, Version: schema.Version, Attributes: (schema.Attributes ?? []).map((a) => (a.DataType === 'number' ? `${a.Name}(number)` : a.Name)).join(' ') })), ['TypeName', 'Version', 'Attributes']));
      return;
    }
    const entities: InventoryResultEntity[] = [];
    const filters = flags.has ? [{ Key: 'TypeName', Values: [flags.has], Type: 'Exists' as const }] : undefined;
    for await (const page of paginateGetInventory({ client: this.ssm, pageSize: 50 }, { ...(filters ? { Filters: filters } : {}) })) entities.push(...(page.Entities ?? []));
    if (flags.json) return this.printJson(entities);
    const rows = entities.map((entity) => {
      const item = entity.Data?.['AWS:InstanceInformation'];
      return { InstanceId: entity.Id, CaptureTime: item?.CaptureTime, ...(item?.Content?.[0] ?? {}) };
    });
    this.log(renderTable(rows, ['InstanceId', 'ComputerName', 'PlatformType', 'PlatformName', 'PlatformVersion', 'IpAddress', 'AgentVersion', 'CaptureTime']));
  }
}
