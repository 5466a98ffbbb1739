/**
 * The environment a step's process gets: the agent's own, with the runner's additions (AWS_SSM_*, SSM_<name>
 * for ENV_VAR parameters) on top. Values are passed as they are: nothing here expands or evaluates them, which
 * is what keeps a parameter such as `x; touch /tmp/pwned` data.
 *
 * Windows treats variable names case-insensitively, so an addition named `PATH` must replace the agent's `Path`
 * rather than sit beside it (which variable the child would then see is unspecified).
 */
export function mergeEnvironment(
  base: NodeJS.ProcessEnv,
  additions: Readonly<Record<string, string>>,
  platform: NodeJS.Platform,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined) merged[name] = value;
  }
  for (const [name, value] of Object.entries(additions)) {
    if (platform === 'win32') {
      for (const existing of Object.keys(merged)) {
        if (existing.toUpperCase() === name.toUpperCase()) delete merged[existing];
      }
    }
    merged[name] = value;
  }
  return merged;
}

/** Reads a variable from an environment built by mergeEnvironment, honouring Windows' case-insensitivity. */
export function environmentValue(env: Readonly<Record<string, string>>, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((candidate) => candidate.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}
