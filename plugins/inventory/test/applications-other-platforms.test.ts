import assert from 'node:assert/strict';
import { installedApplications } from '../src/gatherers/applications/installed-applications.js';
import { parseSystemProfilerApplications } from '../src/gatherers/applications/macos-applications.js';
import { parseRpmQuery } from '../src/gatherers/applications/rpm.js';
import { WINDOWS_UNINSTALL_FIELDS, compressedGuid, notAProgramBecause, parseWindowsUninstall } from '../src/gatherers/applications/windows-uninstall.js';
import { awsComponentGatherer } from '../src/gatherers/aws-component.js';
import { environment, fixture, recordedRunner } from './fixtures.js';
import { uninstallEntryFromObjectString } from './powershell-format-recording.js';
import { asGetItemProperty, parseRegQuery } from './windows-registry-recording.js';

// Windows and macOS are not available on this host, so these parse recorded output (test/fixtures; its README
// gives each file's source). Real recordings from real machines: macos-26-system-profiler-applications.json
// (system_profiler on a German macOS 26 Mac) and windows-reg-query-uninstall.txt (`reg query` of a Windows
// host's Uninstall key, turned into what the gatherer's script prints by windows-registry-recording.ts), and
// windows-uninstall-key-dotnet4-client-profile.log (one listed program's Uninstall values, as a deployment tool
// logged them). Still hand-made: windows-server-2022-uninstall.json, for what no public recording shows together
// (several listed programs, Wow6432Node, the Windows Installer product list), and the rpm output (rpm is also tested
// against a real rpm database, in applications-rpm.test.ts).
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

  it('a real Windows host\'s Uninstall keys (recorded): built-in keys and hidden MSI components are not programs', () => {
    const keys = parseRegQuery(fixture('windows-reg-query-uninstall.txt'));
    assert.equal(keys.length, 15);
    const entries = asGetItemProperty(keys, WINDOWS_UNINSTALL_FIELDS);
    // AddressBook, DirectDrawEx, IE40, ...: keys without values, which Get-ItemProperty does not list at all.
    assert.deepEqual(entries.map((entry) => entry.PSChildName), ['Connection Manager', 'WIC', '{12B6D916-FD64-471C-8EF7-C04443A75F8D}', '{29DA7679-80B6-452A-B264-349BAEE7CC0E}']);
    const dotnetHost = entries[2]!;
    assert.deepEqual([dotnetHost.DisplayName, dotnetHost.DisplayVersion, dotnetHost.InstallDate, dotnetHost.WindowsInstaller, dotnetHost.SystemComponent], ['Microsoft .NET Host - 5.0.7 (x64)', '40.28.30105', '20211019', 1, 1]);
    // The recording does not include HKLM\Software\Classes\Installer\Products, so both MSI products are taken as
    // still listed by Windows Installer, which leaves the other rules to decide.
    const products = new Set(entries.map((entry) => compressedGuid(String(entry.PSChildName))).filter((packed) => packed !== ''));
    assert.deepEqual(entries.map((entry) => notAProgramBecause(entry, products)), ['no DisplayName', 'no DisplayName', 'a system component', 'a system component']);
    assert.deepEqual(parseWindowsUninstall({ Is64BitOs: true, Products: [...products], Native: entries, Wow64: [] }), []);
  });

  it('a program Programs and Features lists, from a real host\'s Uninstall key (recorded: .NET Framework 4 Client Profile)', () => {
    // The key's name is not in the recorded log line; .NET 4's setup names it after the product.
    const entry = uninstallEntryFromObjectString(fixture('windows-uninstall-key-dotnet4-client-profile.log'), WINDOWS_UNINSTALL_FIELDS, 'Microsoft .NET Framework 4 Client Profile');
    assert.equal(notAProgramBecause(entry, new Set()), undefined); // not a Windows Installer entry: no product list needed
    assert.deepEqual(parseWindowsUninstall({ Is64BitOs: true, Products: [], Native: [entry], Wow64: [] }), [{
      Name: 'Microsoft .NET Framework 4 Client Profile',
      Publisher: 'Microsoft Corporation',
      Version: '4.0.30319', // no InstalledTime: the key has no InstallDate
      Architecture: 'x86_64',
      URL: 'http://go.microsoft.com/fwlink/?LinkId=164164',
      PackageId: 'Microsoft .NET Framework 4 Client Profile',
    }]);
  });

  it('keeps what Programs and Features shows from the Uninstall keys, and nothing else (hand-made)', () => {
    const document = JSON.parse(fixture('windows-server-2022-uninstall.json')) as Record<string, unknown>;
    const rows = parseWindowsUninstall(document);
    assert.deepEqual(rows.map((row) => [row.Name, row.Architecture]).sort(), [
      ['7-Zip 23.01 (x64)', 'x86_64'],
      ['Amazon SSM Agent', 'x86_64'], // Windows Installer entry whose product Windows Installer still lists
      ['Notepad++ (32-bit x86)', 'i386'], // Wow6432Node, and a single object rather than a list (ConvertTo-Json)
    ]);
    const agent = rows.find((row) => row.Name === 'Amazon SSM Agent')!;
    assert.equal(agent.InstalledTime, '2024-06-03T00:00:00Z');
    assert.equal(agent.PackageId, '{2BE0FA87-5B36-43CF-95C8-C68D6673FB94}');
    assert.equal(rows.find((row) => row.Name.startsWith('7-Zip'))?.URL, 'https://www.7-zip.org/');
    const products = new Set(document.Products as string[]);
    const why = (key: string) => notAProgramBecause((document.Native as Array<Record<string, unknown>>).find((entry) => entry.PSChildName === key)!, products);
    assert.equal(why('Contoso Updater'), 'no UninstallString');
    assert.equal(why('{11111111-2222-3333-4444-555555555555}'), 'a Windows Installer product Windows Installer no longer lists');
    assert.equal(why('KB5034439'), 'a KB update');
    assert.equal(why('Security Update for Contoso'), 'an update of another program (ParentKeyName)');
  });

  it('parses system_profiler\'s applications on a real Mac (recorded): publishers, localized names, folders that are not bundles', () => {
    const rows = parseSystemProfilerApplications(fixture('macos-26-system-profiler-applications.json'));
    const byPath = (path: string) => rows.find((row) => row.PackageId === path);
    // Apple's own: signed "Software Signing", named in the system's language.
    assert.deepEqual(byPath('/System/Applications/Calculator.app'), {
      Name: 'Rechner',
      Publisher: 'Apple Inc.',
      Version: '12.0',
      InstalledTime: '2025-10-29T01:21:04Z',
      ApplicationType: 'apple',
      Architecture: 'universal',
      PackageId: '/System/Applications/Calculator.app',
    });
    // A Developer ID names its holder, with or without the team id.
    assert.equal(byPath('/Applications/FileZilla.app')?.Publisher, 'Tim Kosse (5VPGKXL75N)');
    assert.equal(byPath('/Applications/FileZilla.app')?.Architecture, 'x86_64');
    assert.equal(byPath('/Library/Printers/Brother/Utilities/BrStatusMonitor.app')?.Publisher, 'Brother Industries, LTD.');
    // system_profiler calls some Apple-silicon-only Mac applications arch_ios (VirtualBox, PhpStorm): arm64 all the same.
    assert.equal(byPath('/Applications/VirtualBox.app')?.Architecture, 'arm64');
    // The App Store re-signs everything it sells: the certificate does not name the maker.
    assert.deepEqual([byPath('/Applications/Xcode.app')?.Publisher, byPath('/Applications/Xcode.app')?.ApplicationType], ['', 'mac_app_store']);
    assert.equal(byPath('/Applications/Sequel Ace.app')?.Publisher, '');
    // Unsigned, and a Chrome web-app shim whose version is "".
    assert.equal(byPath('/usr/local/Cellar/python@3.11/3.11.4_1/Python Launcher 3.app')?.Publisher, '');
    assert.equal(byPath('/Users/ibering/Applications/Chrome Apps.localized/YouTube.app')?.Version, '');
    // Folders named *.app that are no bundle (browser site storage, node_modules) are left out; an applet without a
    // Mach-O executable but with a version (IDLE, Script Editor droplets) is kept.
    assert.equal(rows.some((row) => row.Name.startsWith('https+++') || row.Name === 'jquery'), false);
    assert.deepEqual(rows.filter((row) => row.Architecture === '').map((row) => row.Name).sort(), ['IDLE 3', 'Recursive File Processing Droplet']);
    assert.equal(rows.length, 12);
  });

  it('runs system_profiler as the recording was made', async () => {
    const run = recordedRunner({ system_profiler: fixture('macos-26-system-profiler-applications.json') });
    const rows = await installedApplications(environment({ platform: 'darwin', run }));
    assert.deepEqual(run.calls[0], { file: 'system_profiler', args: ['SPApplicationsDataType', '-json'] });
    assert.equal(rows[0]?.Name, 'App Store');
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
