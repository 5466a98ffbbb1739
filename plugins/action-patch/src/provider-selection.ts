/**
 * Which patch provider serves this host: among the agent's providers for the snapshot's operating system, the
 * first whose detect() finds its package manager. Refused with a message that names what was tried.
 */
import type { PatchOperatingSystem, PatchProvider, PatchProviderContext } from '@tender/plugin-api';

export async function selectProvider(
  providers: ReadonlyArray<{ name: string; provider: PatchProvider }>,
  operatingSystem: PatchOperatingSystem,
  context: PatchProviderContext,
): Promise<{ name: string; provider: PatchProvider }> {
  const candidates = providers.filter(({ provider }) => provider.operatingSystems.includes(operatingSystem));
  if (candidates.length === 0) {
    const installed = providers.map(({ name, provider }) => `${name} (${provider.operatingSystems.join(', ')})`).join('; ') || 'none';
    throw new Error(`no patch provider for ${operatingSystem} is installed in this agent (installed providers: ${installed})`);
  }
  const tried: string[] = [];
  for (const candidate of candidates) {
    if (await candidate.provider.detect(context)) return candidate;
    tried.push(candidate.name);
  }
  throw new Error(`no patch provider for ${operatingSystem} found its package manager on this host (tried: ${tried.join(', ')})`);
}
