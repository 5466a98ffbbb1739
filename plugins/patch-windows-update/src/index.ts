import { definePlugin } from '@tender/plugin-api';
import { createWindowsUpdateProvider } from './windows-update-provider.js';

export { createWindowsUpdateProvider, toCandidate, kbOf, onePerKb, type WindowsUpdateProviderOptions } from './windows-update-provider.js';
export { parseScan, parseInstall, classificationOf, productOf, ssmProductName, hostProductOf, hresult } from './wua-output.js';

export default definePlugin({
  name: '@tender/patch-windows-update',
  patchProviders: { 'windows-update': createWindowsUpdateProvider() },
});
