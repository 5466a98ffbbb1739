import { definePlugin } from '@tender/plugin-api';
import { createAptProvider } from './apt-provider.js';

export { createAptProvider, toCandidate, type AptProviderOptions } from './apt-provider.js';
export { compareDebianVersions, parseDebianVersion } from './dpkg-version.js';
export { parseAptPolicy, isSecuritySuite } from './apt-policy.js';
export { parseDpkgQuery, DPKG_QUERY_FORMAT } from './dpkg-status.js';

export default definePlugin({
  name: '@tender/patch-apt',
  patchProviders: { apt: createAptProvider() },
});
