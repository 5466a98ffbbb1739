import assert from 'node:assert/strict';
import { installedApplications } from '../src/gatherers/applications/installed-applications.js';
import { parseSystemProfilerApplications } from '../src/gatherers/applications/macos-applications.js';
import { parseRpmQuery } from '../src/gatherers/applications/rpm.js';
import { compressedGuid, parseWindowsUninstall } from '../src/gatherers/applications/windows-uninstall.js';
import { awsComponentGatherer } from '../src/gatherers/aws-component.js';
import { environment, fixture, recordedRunner } from './fixtures.js';

// Windows and macOS are not available on this host: these parse output in the format the queries produce, kept in
// test/fixtures (see the README there for how each was made). rpm is also tested against a real rpm database, in
// applications-rpm.test.ts.
describe('inventory: AWS:Application from rpm, the Windows registry and macOS', () => {
  it('parses rpm --queryformat output, with Release, Epoch and the install time', () => {
    const rows = parseRpmQuery(fixture('amazon-linux-2023-rpm-query.stdout'));
    assert.deepEqual(rows.find((row) => row.Name === 'openssl'), {
      Name: 'openssl',
      Publisher: 'Amazon Linux',
      Version: '3.0.8',
      Release: '1.amzn2023.0.14',
      Epoch: '1',
      InstalledTime: '2024-06-03T10:40:34Z',
      ApplicationType: 'Unspecified',
      Architecture: 'x86_64',
      URL: 'http://www.openssl.org/',
      Summary: 'Utilities from the general purpose cryptography library with TLS implementation',
      PackageId: 'openssl-3.0.8-1.amzn2023.0.14.src.rpm',
    });
    // "(none)" is rpm's word for an absent tag: the field is left out, or "" where SSM always has it.
    const key = rows.find((row) => row.Name === 'gpg-pubkey')!;
    assert.equal(key.Publisher, '');
    assert.equal(key.Architecture, '');
    assert.equal('Epoch' in key, false);
  });

  it('packs a Windows Installer product code as SSM documents it', () => {
    assert.equal(compressedGuid('{2BE0FA87-5B36-43CF-95C8-C68D6673FB94}'), '78AF0EB263B5FC34598C6CD86637BF49');
  });

  it('keeps what Programs and Features shows from the Uninstall keys, and nothing else', () => {
    const rows = parseWindowsUninstall(JSON.parse(fixture('windows-server-2022-uninstall.json')));
    assert.deepEqual(rows.map((row) => [row.Name, row.Architecture]).sort(), [
      ['7-Zip 23.01 (x64)', 'x86_64'],
      ['Amazon SSM Agent', 'x86_64'], // Windows Installer entry whose product Windows Installer still lists
      ['Notepad++ (32-bit x86)', 'i386'], // Wow6432Node, and a single object rather than a list (ConvertTo-Json)
    ]);
    const agent = rows.find((row) => row.Name === 'Amazon SSM Agent')!;
    assert.equal(agent.InstalledTime, '2024-06-03T00:00:00Z');
    assert.equal(agent.PackageId, '{2BE0FA87-5B36-43CF-95C8-C68D6673FB94}');
    assert.equal(rows.find((row) => row.Name.startsWith('7-Zip'))?.URL, 'https://www.7-zip.org/');
  });

  it('parses system_profiler\'s applications on macOS', () => {
    const rows = parseSystemProfilerApplications(fixture('macos-14-system-profiler-applications.json'));
    assert.deepEqual(rows.find((row) => row.Name === 'Visual Studio Code'), {
      Name: 'Visual Studio Code',
      Publisher: 'Microsoft Corporation (UBF8T346G9)',
      Version: '1.90.0',
      InstalledTime: '2024-06-01T10:02:33Z',
      ApplicationType: 'identified_developer',
      Architecture: 'arm64',
      PackageId: '/Applications/Visual Studio Code.app',
    });
    assert.equal(rows.find((row) => row.Name === 'Legacy Tool')?.Version, '');
  });

  it('uses both dpkg and rpm where a host has both, and says so when it has neither', async () => {
    const both = recordedRunner({ 'dpkg-query': fixture('debian-12-dpkg-query.stdout'), rpm: fixture('amazon-linux-2023-rpm-query.stdout') });
    const rows = await installedApplications(environment({ run: both }));
    assert.equal(rows.length, 12);
    assert.deepEqual(rows.filter((row) => row.Name === 'bash').map((row) => row.Version), ['5.2.15', '5.2.15-2+b8']);
    await assert.rejects(installedApplications(environment({ run: recordedRunner({}) })), /no package manager found/);
  });

  it('AWS:AWSComponent picks the fleet agents out of the application list', async () => {
    const run = recordedRunner({ rpm: fixture('amazon-linux-2023-rpm-query.stdout') });
    const { items } = await awsComponentGatherer.gather(environment({ run }));
    assert.deepEqual(items[0]?.Content.map((row) => row.Name), ['amazon-ssm-agent']);
    assert.equal(items[0]?.TypeName, 'AWS:AWSComponent');
  });
});
