/**
 * Turns PowerShell's Format-Table and Format-List output, pasted into public issues and pages (real output of real
 * hosts, kept in test/fixtures), into what the gatherers' PowerShell scripts print for the same objects. The values are the
 * recorded ones; what a table does not show is filled in as said at each function.
 */

/** The rows of a Format-Table output: the lines after the header's `----` line, up to the first blank line. */
function tableRows(text: string): { header: string; rows: string[] } {
  const lines = text.split(/\r?\n/);
  const rule = lines.findIndex((line) => /^-{2,}/.test(line.trim()));
  if (rule < 1) throw new Error('no table header in the recording');
  const end = lines.findIndex((line, index) => index > rule && line.trim() === '');
  return { header: lines[rule - 1]!, rows: lines.slice(rule + 1, end < 0 ? undefined : end).filter((line) => line.trim() !== '') };
}

/**
 * `Get-HotFix | Select-Object HotFixID, InstalledOn` as a table (the host's culture shows InstalledOn: the German
 * `dd.MM.yyyy HH:mm:ss` of the recording) as the AWS:WindowsUpdate script prints it: the date as recorded, as
 * `yyyy-MM-dd`. Description and InstalledBy were not selected by the recorded command: null.
 */
export function hotFixScriptOutput(text: string): Array<Record<string, string | null>> {
  return tableRows(text).rows.map((line) => {
    const match = /^(KB\d+)\s+(\d{2})\.(\d{2})\.(\d{4}) 00:00:00$/.exec(line.trim());
    if (!match) throw new Error(`not a Get-HotFix row with a German date: ${line}`);
    return { HotFixID: match[1]!, Description: null, InstalledOn: `${match[4]}-${match[3]}-${match[2]}`, InstalledBy: null };
  });
}

/**
 * `Get-WindowsFeature` as a table (Display Name indented four spaces a level, `[X]` when installed; Name; Install
 * State) as the AWS:WindowsRole script prints it. From the table: Name, DisplayName, Installed, InstalledState, and
 * Parent where the row above one level up is the parent (the tree order Get-WindowsFeature lists in; a filter such
 * as `-Name *web*` can hide a parent, whose children then have none here). Not in a table, so empty: Description,
 * FeatureType, Path, SubFeatures, ServerComponentDescriptor, DependsOn.
 */
export function windowsFeatureScriptOutput(text: string): Array<Record<string, string>> {
  const { header, rows } = tableRows(text);
  const nameColumn = header.indexOf('Name', header.indexOf('Display Name') + 'Display Name'.length);
  const above: Array<{ depth: number; name: string }> = [];
  return rows.map((line) => {
    const display = /^( *)\[([X ])\] (.+)$/.exec(line.slice(0, nameColumn).trimEnd());
    const [name, state] = line.slice(nameColumn).trim().split(/\s+/);
    if (!display || !name || !state) throw new Error(`not a Get-WindowsFeature row: ${line}`);
    const depth = display[1]!.length / 4;
    while (above.length > 0 && above.at(-1)!.depth >= depth) above.pop();
    const parent = above.at(-1)?.depth === depth - 1 ? above.at(-1)!.name : '';
    above.push({ depth, name });
    return {
      Name: name, DisplayName: display[3]!, Description: '', Installed: display[2] === 'X' ? 'True' : 'False', InstalledState: state, FeatureType: '', Path: '',
      SubFeatures: '', ServerComponentDescriptor: '', DependsOn: '', Parent: parent,
    };
  });
}

/** Format-List's records: `Name : value` lines (other lines, such as the prompt, end a record); `{a, b}` is a list. */
function listRecords(text: string): Array<Map<string, string>> {
  const records: Array<Map<string, string>> = [];
  let current: Map<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const field = /^(\w+) +: ?(.*)$/.exec(line); // Format-List pads the name: `Name                : AdtAgent`
    if (!field) {
      current = undefined;
      continue;
    }
    if (!current) records.push((current = new Map()));
    current.set(field[1]!, field[2]!.trim());
  }
  return records;
}

/**
 * `Get-Service | Format-List` as the AWS:Service script prints it: Name, DisplayName, Status, ServiceType as
 * recorded, the dependency lists joined with ", ". StartType is not a property of the recorded PowerShell's
 * services (it came with PowerShell 5.0): empty.
 */
export function serviceScriptOutput(text: string): Array<Record<string, string>> {
  const joined = (value: string | undefined) => (value ?? '').replace(/^\{(.*)\}$/, '$1');
  return listRecords(text).map((record) => ({
    Name: record.get('Name') ?? '',
    DisplayName: record.get('DisplayName') ?? '',
    Status: record.get('Status') ?? '',
    DependentServices: joined(record.get('DependentServices')),
    ServicesDependedOn: joined(record.get('ServicesDependedOn')),
    ServiceType: record.get('ServiceType') ?? '',
    StartType: '',
  }));
}

/**
 * The registry values of an Uninstall key as PowerShell writes a Get-ItemProperty object into a string
 * (`@{DisplayName=...; Publisher=...}`), here inside a log line, as the Uninstall script's Select-Object prints
 * them: the recorded values of the fields it reads as text, a field the key does not have as null. The key's name
 * (PSChildName) is not in such a string: the caller gives it.
 */
export function uninstallEntryFromObjectString(text: string, fields: readonly string[], keyName: string): Record<string, unknown> {
  const body = /@\{(.*?)\}/.exec(text)?.[1];
  if (body === undefined) throw new Error('no @{...} object in the recording');
  const values = new Map(body.split('; ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as const));
  return Object.fromEntries(fields.map((field) => [field, field === 'PSChildName' ? keyName : (values.get(field) ?? null)]));
}
