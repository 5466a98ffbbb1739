/** The inputs of aws:runShellScript and aws:runPowerShellScript, checked. */
export interface ScriptInputs {
  /** The script text: runCommand's lines joined with "\n", with a final newline as SSM writes it. */
  script: string;
  /** The user's working directory, or undefined for "the orchestration directory". */
  workingDirectory: string | undefined;
}

export type ParsedScriptInputs = { ok: true; inputs: ScriptInputs } | { ok: false; message: string };

/**
 * Checks a step's inputs as SSM defines them: `runCommand` (a string or a list of lines; a StringList
 * parameter substituted inside a list may arrive nested, so lists are flattened), optional `workingDirectory`
 * ("" means the default, as in AWS-RunShellScript) and `timeoutSeconds` (enforced by the runner through the
 * abort signal; only its type is checked here). Bad input is reported, never thrown.
 */
export function parseScriptInputs(action: string, inputs: Readonly<Record<string, unknown>>): ParsedScriptInputs {
  const fail = (problem: string): ParsedScriptInputs => ({ ok: false, message: `${action}: ${problem}` });

  const lines = flattenLines(inputs.runCommand);
  if (lines === undefined) {
    return inputs.runCommand === undefined || inputs.runCommand === null
      ? fail('the input runCommand is required (the commands to run)')
      : fail(`the input runCommand must be a string or a list of strings, not ${describe(inputs.runCommand)}`);
  }
  const script = lines.join('\n');
  // An empty script would "succeed" without doing anything, which hides a parameter that went missing.
  if (script.trim() === '') return fail('the input runCommand is empty: there is nothing to run');

  const workingDirectory = inputs.workingDirectory;
  if (workingDirectory !== undefined && workingDirectory !== null && typeof workingDirectory !== 'string') {
    return fail(`the input workingDirectory must be a string, not ${describe(workingDirectory)}`);
  }
  if (typeof workingDirectory === 'string' && workingDirectory.includes('\0')) {
    return fail('the input workingDirectory contains a NUL character');
  }

  const timeout = inputs.timeoutSeconds;
  if (timeout !== undefined && timeout !== null && typeof timeout !== 'string' && typeof timeout !== 'number') {
    return fail(`the input timeoutSeconds must be a number or a numeric string, not ${describe(timeout)}`);
  }

  return {
    ok: true,
    inputs: {
      script: `${script}\n`,
      workingDirectory: typeof workingDirectory === 'string' && workingDirectory !== '' ? workingDirectory : undefined,
    },
  };
}

function flattenLines(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  const lines: string[] = [];
  for (const item of value) {
    const nested = flattenLines(item);
    if (nested === undefined) return undefined;
    lines.push(...nested);
  }
  return lines;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list containing something other than strings';
  return `a ${typeof value}`;
}
