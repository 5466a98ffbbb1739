import assert from 'node:assert/strict';
import { parseServices, serviceGatherer } from '../src/gatherers/service.js';
import { parseRegistryValues, registryScript, windowsRegistryGatherer } from '../src/gatherers/windows-registry.js';
import { parseWindowsFeatures, windowsRoleGatherer } from '../src/gatherers/windows-role.js';
import { parseHotFixes, WINDOWS_UPDATE_SCRIPT, windowsUpdateGatherer } from '../src/gatherers/windows-update.js';
import { asList, powerShellDate } from '../src/powershell.js';
import { environment, fixture, recordedRunner } from './fixtures.js';
import { hotFixScriptOutput, serviceScriptOutput, windowsFeatureScriptOutput } from './powershell-format-recording.js';
import { asRegistryScriptRows, parseRegQuery } from './windows-registry-recording.js';

// Windows is not available on this host: these parse the JSON the gatherers' PowerShell scripts print, and check
// the scripts are run through powershell.exe. AWS:WindowsRegistry also runs on a real host's registry (a recorded
// `reg query`, turned into the script's output by windows-registry-recording.ts), AWS:WindowsUpdate and
// AWS:WindowsRole on real hosts' Get-HotFix and Get-WindowsFeature tables pasted into public issues (turned into
// the scripts' output by powershell-format-recording.ts); the other fixtures here are hand-made, as no usable public
// recording of these commands was found (test/fixtures/README.md).
describe('inventory: Windows types (AWS:Service, AWS:WindowsUpdate, AWS:WindowsRole, AWS:WindowsRegistry)', () => {
  it('reads ConvertTo-Json\'s quirks: a lone object, nothing at all, and /Date()/ times', () => {
    assert.deepEqual(asList({ a: 1 }), [{ a: 1 }]);
    assert.deepEqual(asList(null), []);
    assert.equal(powerShellDate('/Date(1705363200000)/'), '2024-01-16T00:00:00Z');
    assert.equal(powerShellDate({ value: '/Date(1660608000000)/', DateTime: 'Tuesday, August 16, 2022' }), '2022-08-16T00:00:00Z');
    assert.equal(powerShellDate('2024-01-16T00:00:00+00:00'), '2024-01-16T00:00:00Z');
    assert.equal(powerShellDate(null), '');
  });

  it('AWS:Service: every service with SSM\'s fields, sorted by name', async () => {
    const rows = parseServices(JSON.parse(fixture('windows-server-2022-services.json')));
    assert.deepEqual(rows.map((row) => row.Name), ['AmazonSSMAgent', 'AppIDSvc', 'Dnscache']);
    assert.deepEqual(rows[1], { Name: 'AppIDSvc', DisplayName: 'Application Identity', Status: 'Stopped', DependentServices: 'applockerfltr', ServicesDependedOn: 'RpcSs, CryptSvc, AppID', ServiceType: 'Win32ShareProcess', StartType: 'Manual' });
    const run = recordedRunner({ 'powershell.exe': fixture('windows-server-2022-services.json') });
    const { items } = await serviceGatherer.gather(environment({ platform: 'win32', run }));
    assert.equal(items[0]?.Content.length, 3);
    assert.deepEqual(run.calls[0]?.args.slice(0, 4), ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass']);
  });

  it('AWS:Service on a real host (Get-Service | Format-List, recorded in Windows PowerShell\'s help): dependency lists joined', async () => {
    const run = recordedRunner({ 'powershell.exe': JSON.stringify(serviceScriptOutput(fixture('windows-get-service-format-list.txt'))) });
    const { items } = await serviceGatherer.gather(environment({ platform: 'win32', run }));
    assert.deepEqual(items[0]!.Content, [
      { Name: 'AdtAgent', DisplayName: 'Event Forwarder', Status: 'Running', DependentServices: '', ServicesDependedOn: 'eventlog, dnscache', ServiceType: 'Win32OwnProcess', StartType: '' },
      { Name: 'Alerter', DisplayName: 'Alerter', Status: 'Stopped', DependentServices: '', ServicesDependedOn: 'LanmanWorkstation', ServiceType: 'Win32ShareProcess', StartType: '' },
    ]);
  });

  it('AWS:WindowsUpdate: hotfixes with their install times in SSM\'s format', () => {
    const rows = parseHotFixes(JSON.parse(fixture('windows-server-2022-hotfix.json')));
    assert.deepEqual(rows.map((row) => row.HotFixId), ['KB5012170', 'KB5017316', 'KB5034439']);
    assert.deepEqual(rows[2], { HotFixId: 'KB5034439', Description: 'Security Update', InstalledTime: '2024-01-16T00:00:00Z', InstalledBy: 'NT AUTHORITY\\SYSTEM' });
    assert.equal(rows.find((row) => row.HotFixId === 'KB5017316')?.InstalledTime, '');
  });

  it('AWS:WindowsUpdate on a real host (a German Windows 11\'s Get-HotFix, recorded): the dates Windows recorded, whatever the host\'s zone', async () => {
    // Get-HotFix makes InstalledOn the host's local midnight: ConvertTo-Json would print the UTC instant of it, the
    // day before east of UTC (this host's 21.04.2023 under German summer time is 2023-04-20T22:00:00Z), so the
    // script prints the date itself, with the invariant culture.
    assert.match(WINDOWS_UPDATE_SCRIPT, /InstalledOn\.ToString\('yyyy-MM-dd', \[System\.Globalization\.CultureInfo\]::InvariantCulture\)/);
    assert.doesNotMatch(WINDOWS_UPDATE_SCRIPT, /Select-Object HotFixID, Description, InstalledOn/);
    assert.equal(powerShellDate(`/Date(${Date.UTC(2023, 3, 20, 22)})/`), '2023-04-20T22:00:00Z'); // what the old script's form said
    const run = recordedRunner({ 'powershell.exe': JSON.stringify(hotFixScriptOutput(fixture('windows-11-get-hotfix.txt'))) });
    const { items } = await windowsUpdateGatherer.gather(environment({ platform: 'win32', run }));
    assert.deepEqual(items[0]!.Content, [
      { HotFixId: 'KB5012170', Description: '', InstalledTime: '2022-12-08T00:00:00Z', InstalledBy: '' },
      { HotFixId: 'KB5025182', Description: '', InstalledTime: '2023-04-21T00:00:00Z', InstalledBy: '' },
      { HotFixId: 'KB5026446', Description: '', InstalledTime: '2023-05-12T00:00:00Z', InstalledBy: '' },
      { HotFixId: 'KB5026549', Description: '', InstalledTime: '2023-05-12T00:00:00Z', InstalledBy: '' },
    ]);
    assert.equal(run.calls[0]?.args.at(-1)?.includes(WINDOWS_UPDATE_SCRIPT), true);
  });

  it('AWS:WindowsRole on a real host (its Get-WindowsFeature, recorded): removed features, the IIS tree', async () => {
    const run = recordedRunner({ 'powershell.exe': JSON.stringify(windowsFeatureScriptOutput(fixture('windows-server-get-windowsfeature-web.txt'))) });
    const { items } = await windowsRoleGatherer.gather(environment({ platform: 'win32', run }));
    const rows = items[0]!.Content;
    assert.equal(rows.length, 9);
    assert.deepEqual(rows.map((row) => row.Name), ['ADCS-Enroll-Web-Pol', 'ADCS-Enroll-Web-Svc', 'ADCS-Web-Enrollment', 'AS-Web-Support', 'RDS-Web-Access', 'Web-Application-Proxy', 'Web-Common-Http', 'Web-Server', 'Web-WebServer']);
    const row = (name: string) => rows.find((entry) => entry.Name === name)!;
    assert.deepEqual([row('AS-Web-Support').DisplayName, row('AS-Web-Support').Installed, row('AS-Web-Support').InstalledState], ['Web Server (IIS) Support', 'False', 'Removed']);
    assert.deepEqual([row('Web-Server').DisplayName, row('Web-Server').Installed, row('Web-Server').InstalledState, row('Web-Server').Parent], ['Web Server (IIS)', 'True', 'Installed', '']);
    assert.deepEqual([row('Web-Common-Http').Parent, row('Web-WebServer').Parent], ['Web-WebServer', 'Web-Server']);
    assert.deepEqual(Object.keys(row('Web-Server')), ['Name', 'DisplayName', 'Description', 'Installed', 'InstalledState', 'FeatureType', 'Path', 'SubFeatures', 'ServerComponentDescriptor', 'DependsOn', 'Parent']);
  });

  it('AWS:WindowsRole: roles and features, installed or not', () => {
    const rows = parseWindowsFeatures(JSON.parse(fixture('windows-server-2022-features.json')));
    assert.deepEqual(rows.map((row) => [row.Name, row.Installed, row.InstalledState]), [
      ['AD-Domain-Services', 'False', 'Available'],
      ['Web-Server', 'True', 'Installed'],
    ]);
    assert.equal(rows[1]?.SubFeatures, 'Web-WebServer, Web-Ftp-Server, Web-Mgmt-Tools');
  });

  it('AWS:WindowsRegistry: values under the named keys; the filters reach the script as base64, never as code', async () => {
    const filters = [{ Path: "HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil'; Remove-Item C:\\ -Recurse; '", ValueNames: ['AMIName'] }];
    const script = registryScript(filters);
    assert.equal(script.includes('Remove-Item'), false);
    const encoded = /FromBase64String\('([A-Za-z0-9+/=]+)'\)/.exec(script)?.[1];
    assert.deepEqual(JSON.parse(Buffer.from(encoded!, 'base64').toString('utf8')), filters);
    assert.deepEqual(parseRegistryValues(JSON.parse(fixture('windows-server-2022-registry.json')))[0], {
      ValueName: 'AMIName',
      ValueType: 'String',
      KeyPath: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon\\MachineImage',
      Value: 'Windows_Server-2022-English-Full-Base-2024.06.13',
    });
    const many = JSON.stringify(Array.from({ length: 251 }, (_, i) => ({ KeyPath: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\X', ValueName: `v${i}`, ValueType: 'String', Value: '' })));
    await assert.rejects(windowsRegistryGatherer(filters).gather(environment({ platform: 'win32', run: recordedRunner({ 'powershell.exe': many }) })), /251 values; at most 250/);
  });

  it('AWS:WindowsRegistry on a real host\'s Uninstall key (recorded): every value, kinds and numbers as .NET gives them', async () => {
    const printed = asRegistryScriptRows(parseRegQuery(fixture('windows-reg-query-uninstall.txt')));
    const run = recordedRunner({ 'powershell.exe': JSON.stringify(printed) });
    const { items } = await windowsRegistryGatherer([{ Path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall', Recursive: true }]).gather(environment({ platform: 'win32', run }));
    const rows = items[0]!.Content;
    assert.equal(rows.length, 51);
    const key = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{12B6D916-FD64-471C-8EF7-C04443A75F8D}';
    const value = (name: string) => rows.find((row) => row.KeyPath === key && row.ValueName === name);
    assert.deepEqual(value('EstimatedSize'), { ValueName: 'EstimatedSize', ValueType: 'DWord', KeyPath: key, Value: '364' });
    assert.deepEqual(value('UninstallString'), { ValueName: 'UninstallString', ValueType: 'ExpandString', KeyPath: key, Value: 'MsiExec.exe /X{12B6D916-FD64-471C-8EF7-C04443A75F8D}' });
    assert.deepEqual(value('Comments'), { ValueName: 'Comments', ValueType: 'String', KeyPath: key, Value: '' }); // an empty REG_SZ
    // Sorted by key, then value name, whatever order the registry listed them in.
    assert.deepEqual(rows.slice(0, 2).map((row) => [row.KeyPath.split('\\').pop(), row.ValueName]), [['Connection Manager', 'SystemComponent'], ['WIC', 'NoRemove']]);
  });
});
