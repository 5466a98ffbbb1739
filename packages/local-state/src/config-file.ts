import { promises as fs } from 'node:fs';

/**
 * Settings come from, strongest first: command-line flags, environment variables, a JSON config file, and
 * built-in defaults. oclif merges the first two; this reads the file and fills in what they left unset.
 * Unknown keys in the file are errors (a typo would otherwise be silently ignored).
 */
export async function readConfigFile(file: string, knownKeys: readonly string[]): Promise<Record<string, unknown>> {
  // Not readJsonFile: its advice is for state files the program wrote ("restore it from a backup"); a config
  // file is written by a person, who needs to know where the JSON goes wrong.
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `config file ${file} does not exist` : `cannot read config file ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`config file ${file} must hold a JSON object`);
  const unknown = Object.keys(value).filter((key) => !knownKeys.includes(key));
  if (unknown.length) {
    throw new Error(`config file ${file} has unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known settings: ${knownKeys.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

/** Layer settings: for each key the first source that has a value wins. */
export function layerSettings<T extends Record<string, unknown>>(...sources: Array<Partial<T> | undefined>): Partial<T> {
  const result: Record<string, unknown> = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source ?? {})) {
      if (value !== undefined && result[key] === undefined) result[key] = value;
    }
  }
  return result as Partial<T>;
}
