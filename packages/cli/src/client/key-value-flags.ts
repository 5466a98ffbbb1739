/**
 * Flags in SSM's `Key=Value` syntax (`Key=v1,v2` for a list): `--parameter` and `--target`, shared by send-command and
 * patch scan | install. oclif reads them before the command runs, so a malformed one is bad usage (exit 2) found before
 * any credentials are looked for or any call is made.
 */
import type { Target } from '@aws-sdk/client-ssm';
import { Errors, Flags } from '@oclif/core';
import { EXIT } from './exit-codes.js';

export interface KeyValues {
  key: string;
  values: string[];
}

function parseKeyValues(text: string): KeyValues {
  const at = text.indexOf('=');
  if (at <= 0) throw new Errors.CLIError(`${JSON.stringify(text)} must be Key=Value (values separated by commas)`, { exit: EXIT.usage });
  return { key: text.slice(0, at), values: text.slice(at + 1).split(',') };
}

/** `--target Key=Values`, repeatable: SendCommand's Targets. */
export const targetFlag = Flags.custom<Target>({
  char: 't',
  description: 'target as Key=Values: InstanceIds=..., tag:Name=..., tag-key=... (repeatable)',
  multiple: true,
  parse: async (text) => {
    const { key, values } = parseKeyValues(text);
    return { Key: key, Values: values };
  },
});

/** `--parameter Name=value`, repeatable; parametersOf makes them SendCommand's Parameters. */
export const parameterFlag = Flags.custom<KeyValues>({
  char: 'p',
  description: 'parameter as Name=value (repeatable; a list parameter takes Name=a,b or the flag repeated)',
  multiple: true,
  parse: async (text) => parseKeyValues(text),
});

/** A name given more than once collects the values of each: `-p commands=a -p commands=b` is the list [a, b]. */
export function parametersOf(given: readonly KeyValues[] | undefined): Record<string, string[]> {
  const parameters: Record<string, string[]> = {};
  for (const { key, values } of given ?? []) parameters[key] = [...(parameters[key] ?? []), ...(values.length > 1 ? values : [values[0] ?? ''])];
  return parameters;
}
