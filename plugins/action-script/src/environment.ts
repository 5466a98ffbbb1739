/**
 * The environment a step's process gets: the agent's own, with the runner's additions (AWS_SSM_*, SSM_<name>
 * for ENV_VAR parameters) on top. Values are passed as they are: nothing here expands or evaluates them, which
 * is what keeps a parameter such as `x; touch /tmp/pwned` data.
 *
 * Windows treats variable names case-insensitively, so an addition named `PATH` must replace the agent's `Path`
 * rather than sit beside it (which variable the child would then see is unspecified).
 */
export function mergeEnvironment(
  base: Readonly<Record<string, string | undefined>>,
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

let agentSnapshot: Readonly<Record<string, string>> | undefined;

/**
 * The agent's own environment, as steps inherit it: read from process.env the first time a step needs it, then kept.
 * process.env is no plain object: reading it makes a native call per variable, which came to a third of a
 * millisecond per read on a small VM, twice on every step's path. The agent sets its environment as it starts,
 * before any step runs (run-agent.ts), and leaves it alone after.
 */
export function agentEnvironment(): Readonly<Record<string, string>> {
  if (!agentSnapshot) {
    const copy: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined) copy[name] = value;
    agentSnapshot = Object.freeze(copy);
  }
  return agentSnapshot;
}

/** Reads a variable from an environment built by mergeEnvironment, honouring Windows' case-insensitivity. */
export function environmentValue(env: Readonly<Record<string, string>>, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((candidate) => candidate.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}
