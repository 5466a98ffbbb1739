import { definePlugin } from '@tender/plugin-api';
import { createDnfProvider } from './dnf-provider.js';

export { createDnfProvider, chooseCandidate, type DnfProviderOptions } from './dnf-provider.js';
export { compareEvr, rpmvercmp } from './rpm-version.js';
export { parseCheckUpdate, parseNevra, parseRpmQuery, parseUpdateinfoInfo, parseUpdateinfoList, RPM_QUERY_FORMAT } from './dnf-output.js';

export default definePlugin({
  name: '@tender/patch-dnf',
  patchProviders: { dnf: createDnfProvider() },
});
