import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { Gatherer, InventoryRow } from '../inventory-types.js';
import { compactRow } from '../rows.js';
import { systemInformation } from '../system-information.js';
import { singleItem } from './single-item.js';

export const INSTANCE_DETAILED_INFORMATION_TYPE = 'AWS:InstanceDetailedInformation';

export interface CpuFacts {
  model: string;
  speedMHz: string;
  cpus: number;
  sockets: number;
  cores: number;
}

/** SSM's attributes; CPUHyperThreadEnabled is "true" when there are more logical CPUs than cores. */
export function detailedInformationRow(cpu: CpuFacts, kernelVersion: string, servicePack = ''): InventoryRow {
  return compactRow(
    {
      CPUModel: cpu.model,
      CPUSpeedMHz: cpu.speedMHz,
      CPUs: cpu.cpus ? String(cpu.cpus) : '',
      CPUSockets: cpu.sockets ? String(cpu.sockets) : '',
      CPUCores: cpu.cores ? String(cpu.cores) : '',
      CPUHyperThreadEnabled: cpu.cores ? String(cpu.cpus > cpu.cores) : '',
      OSServicePack: servicePack,
      KernelVersion: kernelVersion,
    },
    ['CPUModel', 'CPUSpeedMHz', 'CPUs', 'CPUSockets', 'CPUCores', 'CPUHyperThreadEnabled', 'OSServicePack'],
  );
}

/**
 * /proc/cpuinfo, the source lscpu (SSM's agent) reads: one block per logical CPU; sockets are the distinct
 * `physical id`s, cores the sum of each socket's `cpu cores`. Architectures without those fields (some ARM
 * kernels) count one socket and one core per logical CPU.
 */
export function parseCpuinfo(text: string): Omit<CpuFacts, 'speedMHz'> & { mhz: string } {
  const blocks = text.split(/\n\s*\n/).map((block) => {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const at = line.indexOf(':');
      if (at > 0) fields.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
    }
    return fields;
  }).filter((fields) => fields.has('processor'));
  const coresBySocket = new Map<string, number>();
  for (const fields of blocks) coresBySocket.set(fields.get('physical id') ?? '0', Number(fields.get('cpu cores') ?? 0));
  const declaredCores = [...coresBySocket.values()].reduce((sum, value) => sum + value, 0);
  const first = blocks[0] ?? new Map<string, string>();
  return {
    model: first.get('model name') ?? first.get('Processor') ?? first.get('cpu model') ?? '',
    mhz: first.get('cpu MHz') ?? '',
    cpus: blocks.length,
    sockets: blocks.some((fields) => fields.has('physical id')) ? coresBySocket.size : blocks.length ? 1 : 0,
    cores: declaredCores || blocks.length,
  };
}

/**
 * The speed reported: the CPU's rated maximum where cpufreq exposes it, else /proc/cpuinfo's current `cpu MHz`,
 * truncated as SSM does. The rated figure does not move with frequency scaling, so this type's hash stays put.
 */
async function linuxCpu(): Promise<CpuFacts> {
  const parsed = parseCpuinfo(await fs.readFile('/proc/cpuinfo', 'utf8'));
  const maxKHz = Number((await fs.readFile('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq', 'utf8').catch(() => '')).trim());
  const speed = maxKHz > 0 ? Math.trunc(maxKHz / 1000) : Math.trunc(Number(parsed.mhz));
  return { model: parsed.model, speedMHz: Number.isFinite(speed) && speed > 0 ? String(speed) : '', cpus: parsed.cpus, sockets: parsed.sockets, cores: parsed.cores };
}

async function otherCpu(): Promise<CpuFacts> {
  const cpu = await (await systemInformation()).cpu();
  const model = `${cpu.manufacturer} ${cpu.brand}`.trim();
  return { model, speedMHz: cpu.speedMax || cpu.speed ? String(Math.trunc((cpu.speedMax || cpu.speed) * 1000)) : '', cpus: cpu.cores, sockets: cpu.processors, cores: cpu.physicalCores };
}

/** AWS:InstanceDetailedInformation: the CPU, the kernel and (Windows) the service pack. */
export const instanceDetailedInformationGatherer: Gatherer = {
  typeName: INSTANCE_DETAILED_INFORMATION_TYPE,
  platforms: ['linux', 'darwin', 'win32'],
  async gather(environment) {
    const cpu = environment.platform === 'linux' ? await linuxCpu() : await otherCpu();
    const servicePack = environment.platform === 'win32' ? (await (await systemInformation()).osInfo()).servicepack : '';
    return singleItem(INSTANCE_DETAILED_INFORMATION_TYPE, '1.0', [detailedInformationRow(cpu, os.release(), servicePack)]);
  },
};
