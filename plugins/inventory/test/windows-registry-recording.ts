/**
 * Turns a recording of `reg query <key> /s` (real output of a real Windows host, kept in test/fixtures) into what
 * the gatherer's PowerShell prints for the same keys: `Get-ItemProperty "<key>\*" | Select-Object <fields>`. The
 * registry values are the recorded ones; only their shape is PowerShell's, as Windows PowerShell 5.1 gives it:
 * REG_DWORD and REG_QWORD as numbers, strings as strings, a field the key does not have as null, PSChildName the
 * key's last name, and keys that hold no value at all left out (Get-ItemProperty yields nothing for them).
 * REG_EXPAND_SZ values are kept as recorded (PowerShell would expand %VARIABLES%; the fields read hold none).
 */
export interface RecordedKey {
  path: string;
  values: Map<string, { type: string; data: string }>;
}

/** reg.exe's text: a key's full path on a line of its own, then `    Name    REG_TYPE    data` per value. */
export function parseRegQuery(text: string): RecordedKey[] {
  const keys: RecordedKey[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^HKEY_/.test(line)) {
      keys.push({ path: line.trim(), values: new Map() });
      continue;
    }
    const value = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line.replace(/\s+$/, ''));
    if (value && keys.length > 0) keys.at(-1)!.values.set(value[1]!, { type: value[2]!, data: value[3] ?? '' });
  }
  return keys;
}

export function asGetItemProperty(keys: readonly RecordedKey[], fields: readonly string[]): Array<Record<string, unknown>> {
  return keys
    .filter((key) => key.values.size > 0)
    .map((key) =>
      Object.fromEntries(
        fields.map((field) => {
          if (field === 'PSChildName') return [field, key.path.slice(key.path.lastIndexOf('\\') + 1)];
          const value = key.values.get(field);
          if (!value) return [field, null];
          if (value.type === 'REG_DWORD') return [field, Number(value.data) | 0]; // .NET's Int32: 0xFFFFFFFF is -1
          return [field, value.type === 'REG_QWORD' ? Number(value.data) : value.data];
        }),
      ),
    );
}

/** RegistryKey.GetValueKind's names for reg.exe's types. */
const VALUE_KINDS: Readonly<Record<string, string>> = {
  REG_SZ: 'String', REG_EXPAND_SZ: 'ExpandString', REG_MULTI_SZ: 'MultiString', REG_DWORD: 'DWord', REG_QWORD: 'QWord', REG_BINARY: 'Binary', REG_NONE: 'None',
};

/**
 * What the AWS:WindowsRegistry script prints for the recorded keys (a recursive filter without ValueNames): per
 * value its key's name, its name, `[string]$key.GetValueKind($name)` and `[string]$key.GetValue($name)`. A DWORD
 * is .NET's Int32 (0xFFFFFFFF is -1) in decimal; the recording holds no other number, list or binary kind.
 */
export function asRegistryScriptRows(keys: readonly RecordedKey[]): Array<Record<string, string>> {
  return keys.flatMap((key) =>
    [...key.values].map(([name, value]) => {
      if (!(value.type in VALUE_KINDS) || value.type === 'REG_MULTI_SZ' || value.type === 'REG_BINARY' || value.type === 'REG_QWORD') throw new Error(`no rule for ${value.type}`);
      return { KeyPath: key.path, ValueName: name, ValueType: VALUE_KINDS[value.type]!, Value: value.type === 'REG_DWORD' ? String(Number(value.data) | 0) : value.data };
    }),
  );
}
