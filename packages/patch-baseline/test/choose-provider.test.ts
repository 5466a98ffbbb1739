import assert from 'node:assert/strict';
import type { PatchOperatingSystem, PatchProvider } from '@tender/plugin-api';
import { choosePatchProvider, NoPatchProviderError } from '../src/index.js';
import { replayContext } from '../src/testing/index.js';

function provider(operatingSystems: PatchOperatingSystem[], present: boolean): PatchProvider {
  const none = async () => ({ operation: 'Scan' as const, patches: [], rebootRequired: false, failures: [] });
  return { operatingSystems, detect: async () => present, scan: none, install: none };
}

describe('patch-baseline: choosePatchProvider', () => {
  const providers = [
    { name: 'apt', provider: provider(['DEBIAN', 'UBUNTU'], true) },
    { name: 'dnf', provider: provider(['REDHAT_ENTERPRISE_LINUX', 'AMAZON_LINUX_2023'], false) },
    { name: 'windows-update', provider: provider(['WINDOWS'], false) },
  ];

  it('picks the provider that serves the operating system and is present', async () => {
    assert.equal((await choosePatchProvider(providers, 'UBUNTU', replayContext([]))).name, 'apt');
  });

  it('says why each provider was passed over when none fits', async () => {
    await assert.rejects(choosePatchProvider(providers, 'AMAZON_LINUX_2023', replayContext([])), (error: unknown) => {
      assert.ok(error instanceof NoPatchProviderError);
      assert.equal(error.message, 'no patch provider on this host serves AMAZON_LINUX_2023: apt (serves DEBIAN, UBUNTU); dnf (its package manager is not on this host); windows-update (serves WINDOWS)');
      return true;
    });
    await assert.rejects(choosePatchProvider([], 'SUSE', replayContext([])), /serves SUSE \(none is installed\)/);
  });

  it('the replay context refuses a command it has no recording of', async () => {
    await assert.rejects(replayContext([]).exec('apt-get', ['install', 'x']), /unexpected command: apt-get install x/);
  });
});
