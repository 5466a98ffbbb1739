import { GetInventoryCommand, paginateGetInventory, type InventoryAggregator, type InventoryFilter, type InventoryResultEntity } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { EXIT } from '../../client/exit-codes.js';
import { renderTable } from '../../client/table.js';

/** `--filter` operators, longest first so `!=` is not read as `=`. */
const OPERATORS: Array<[string, NonNullable<InventoryFilter['Type']>]> = [
  ['!=', 'NotEqual'],
  ['^=', 'BeginWith'],
  ['?=', 'Exists'],
  ['<', 'LessThan'],
  ['>', 'GreaterThan'],
  ['=', 'Equal'],
];

/**
 * `AWS:Application.Name=openssl,libssl3` → Equal with two values. Operators: = != ^= (BeginWith) < > and ?=
 * (Exists, e.g. `TypeName?=Custom:Rack`). Keys are `<type>.<attribute>` or `TypeName`.
 */
export function parseFilter(text: string): InventoryFilter | undefined {
  let best: { at: number; token: string; type: NonNullable<InventoryFilter['Type']> } | undefined;
  for (const [token, type] of OPERATORS) {
    const at = text.indexOf(token);
    if (at > 0 && (best === undefined || at < best.at || (at === best.at && token.length > best.token.length))) best = { at, token, type };
  }
  if (!best) return undefined;
  const key = text.slice(0, best.at).trim();
  const values = text.slice(best.at + best.token.length).split(',').map((value) => value.trim()).filter((value) => value !== '');
  if (key === '' || values.length === 0) return undefined;
  return { Key: key, Values: values, Type: best.type };
}

/** `AWS:InstanceInformation.PlatformType/AWS:Application.Name` → an aggregator with one nested under it. */
export function parseAggregator(text: string): InventoryAggregator {
  const [first, ...rest] = text.split('/').map((part) => part.trim());
  return { Expression: first, ...(rest.length ? { Aggregators: [parseAggregator(rest.join('/'))] } : {}) };
}

export default class InventoryQuery extends ApiCommand {
  static override summary = 'Ask the fleet a question (GetInventory): which instances match, or counts per value.';
  static override description =
    'Filters (ANDed; on the same type they must hold for the same row): KEY=V1,V2 (Equal), KEY!=V (NotEqual), KEY^=PREFIX (BeginWith), KEY<V and KEY>V (LessThan/GreaterThan: versions compare as versions, 3.0.2 < 3.0.10; numbers as numbers), TypeName?=TYPE (Exists). KEY is <type>.<attribute>, e.g. AWS:Application.Version. ' +
    'With --aggregator, counts instances per distinct value instead (nest with /).';
  static override examples = [
    "<%= config.bin %> inventory query --filter 'AWS:Application.Name=openssl' --filter 'AWS:Application.Version<3.0.7'",
    "<%= config.bin %> inventory query --filter 'AWS:Application.Name=openssl' --result-type AWS:Application --json",
    "<%= config.bin %> inventory query --aggregator 'AWS:InstanceInformation.PlatformType/AWS:Application.Name' --filter 'AWS:Application.Name^=python3'",
  ];
  static override flags = {
    filter: Flags.string({ description: 'a filter, e.g. AWS:Application.Version<3.0.7 (repeatable, at most 5)', multiple: true }),
    aggregator: Flags.string({ description: 'count per value of <type>.<attribute> (nest with /; repeatable)', multiple: true }),
    'result-type': Flags.string({ description: 'return this type\'s matching rows for each instance (ResultAttributes)' }),
    limit: Flags.integer({ description: 'at most this many instances', min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(InventoryQuery);
    const filters: InventoryFilter[] = [];
    for (const text of flags.filter ?? []) {
      const filter = parseFilter(text);
      if (!filter) this.error(`--filter ${JSON.stringify(text)}: expected KEY=VALUE[,VALUE] with one of = != ^= < > ?=`, { exit: EXIT.usage });
      filters.push(filter);
    }
    await this.connect(flags);
    const base = { ...(filters.length ? { Filters: filters } : {}) };
    if (flags.aggregator?.length) {
      const result = await this.ssm.send(new GetInventoryCommand({ ...base, Aggregators: flags.aggregator.map(parseAggregator) }));
      const data = result.Entities?.[0]?.Data ?? {};
      if (flags.json) return this.printJson(data);
      for (const [name, item] of Object.entries(data)) {
        const rows = item.Content ?? [];
        const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
        this.log(`${name}:`);
        this.log(renderTable(rows, [...columns.filter((column) => column !== 'Count'), ...(columns.includes('Count') ? ['Count'] : [])]));
      }
      return;
    }
    const typeName = flags['result-type'];
    const entities: InventoryResultEntity[] = [];
    for await (const page of paginateGetInventory({ client: this.ssm, pageSize: 50 }, { ...base, ...(typeName ? { ResultAttributes: [{ TypeName: typeName }] } : {}) })) {
      entities.push(...(page.Entities ?? []));
      if (flags.limit !== undefined && entities.length >= flags.limit) break;
    }
    const shown = flags.limit === undefined ? entities : entities.slice(0, flags.limit);
    if (flags.json) return this.printJson(shown);
    if (typeName) {
      const rows = shown.flatMap((entity) => (entity.Data?.[typeName]?.Content ?? []).map((row) => ({ InstanceId: entity.Id, ...row })));
      const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
      this.log(renderTable(rows, columns));
    } else {
      const rows = shown.map((entity) => ({ InstanceId: entity.Id, ...(entity.Data?.['AWS:InstanceInformation']?.Content?.[0] ?? {}) }));
      this.log(renderTable(rows, ['InstanceId', 'ComputerName', 'PlatformType', 'PlatformName', 'PlatformVersion', 'IpAddress', 'AgentVersion']));
    }
    this.log(`${shown.length} instance(s)`);
  }
}
