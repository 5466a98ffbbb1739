import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { detailedInformationRow, instanceDetailedInformationGatherer, parseCpuinfo } from '../src/gatherers/instance-detailed-information.js';
import { instanceInformationGatherer } from '../src/gatherers/instance-information.js';
import { parseOsRelease } from '../src/system-information.js';
import { environment, fixture } from './fixtures.js';

describe('inventory: AWS:InstanceDetailedInformation and AWS:InstanceInformation', () => {
  it('counts sockets, cores and hyper-threading from a two-socket Xeon\'s /proc/cpuinfo', () => {
    const cpu = parseCpuinfo(fixture('xeon-2socket-hyperthreaded.cpuinfo'));
    assert.deepEqual(cpu, { model: 'Intel(R) Xeon(R) CPU E5-2676 v3 @ 2.40GHz', mhz: '2400.072', cpus: 4, sockets: 2, cores: 2 });
    assert.deepEqual(detailedInformationRow({ ...cpu, speedMHz: '2400' }, '5.10.0'), {
      CPUModel: 'Intel(R) Xeon(R) CPU E5-2676 v3 @ 2.40GHz',
      CPUSpeedMHz: '2400',
      CPUs: '4',
      CPUSockets: '2',
      CPUCores: '2',
      CPUHyperThreadEnabled: 'true',
      OSServicePack: '',
      KernelVersion: '5.10.0',
    });
  });

  it('parses /proc/cpuinfo recorded on this project\'s Debian 12 VM', () => {
    assert.deepEqual(parseCpuinfo(fixture('debian-12-amd-epyc-2cpu.cpuinfo')), { model: 'AMD EPYC', mhz: '2095.989', cpus: 2, sockets: 1, cores: 2 });
  });

  (process.platform === 'linux' ? it : it.skip)('on this host matches /proc/cpuinfo', async () => {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const blocks = text.split(/\n\s*\n/).filter((block) => /^processor\s*:/m.test(block));
    const field = (block: string, name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1]?.trim();
    const { items } = await instanceDetailedInformationGatherer.gather(environment());
    const row = items[0]!.Content[0]!;
    assert.equal(row.CPUModel, field(blocks[0]!, 'model name'));
    assert.equal(row.CPUs, String(blocks.length));
    const sockets = new Set(blocks.map((block) => field(block, 'physical id')));
    assert.equal(row.CPUSockets, String(sockets.size));
    assert.equal(row.KernelVersion, os.release());
    let maxKHz = 0;
    try {
      maxKHz = Number(readFileSync('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq', 'utf8'));
    } catch {
      // no cpufreq (virtual machines): the speed comes from /proc/cpuinfo
    }
    assert.equal(row.CPUSpeedMHz, String(maxKHz ? Math.trunc(maxKHz / 1000) : Math.trunc(Number(field(blocks[0]!, 'cpu MHz')))));
  });

  it('reads the platform from os-release', () => {
    assert.deepEqual(parseOsRelease('NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n# comment\n'), { NAME: 'Debian GNU/Linux', VERSION_ID: '12', ID: 'debian' });
  });

  it('AWS:InstanceInformation names this instance, its platform and its address', async () => {
    const { items } = await instanceInformationGatherer.gather(environment());
    const row = items[0]!.Content[0]!;
    assert.equal(row.InstanceId, 'mi-0123456789abcdef0');
    assert.equal(row.ComputerName, os.hostname());
    assert.equal(row.PlatformType, 'Linux');
    assert.match(items[0]!.CaptureTime, /^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
