import type { PatchOperatingSystem, PatchProvider, PatchProviderContext } from '@tender/plugin-api';

/** No loaded patch provider serves the baseline's operating system on this host. */
export class NoPatchProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoPatchProviderError';
  }
}

/**
 * The provider AWS-RunPatchBaseline's step should use for a snapshot: the first one (in plugin load order) that
 * serves the baseline's operating system and detects its package manager on this host. Throws, naming every
 * provider and why it was passed over, when there is none.
 */
export async function choosePatchProvider(
  providers: ReadonlyArray<{ name: string; provider: PatchProvider }>,
  operatingSystem: PatchOperatingSystem,
  context: PatchProviderContext,
): Promise<{ name: string; provider: PatchProvider }> {
  const passedOver: string[] = [];
  for (const entry of providers) {
    if (!entry.provider.operatingSystems.includes(operatingSystem)) {
      passedOver.push(`${entry.name} (serves ${entry.provider.operatingSystems.join(', ')})`);
      continue;
    }
    if (await entry.provider.detect(context).catch(() => false)) return entry;
    passedOver.push(`${entry.name} (its package manager is not on this host)`);
  }
  throw new NoPatchProviderError(`no patch provider on this host serves ${operatingSystem}${passedOver.length ? `: ${passedOver.join('; ')}` : ' (none is installed)'}`);
}
