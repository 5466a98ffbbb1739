import os from 'node:os';
import type { Platform } from '@tender/plugin-api';
import type { Gatherer } from '../inventory-types.js';
import { compactRow } from '../rows.js';
import { readOsRelease, systemInformation } from '../system-information.js';
import { singleItem } from './single-item.js';

export const INSTANCE_INFORMATION_TYPE = 'AWS:InstanceInformation';

const PLATFORM_TYPES: Readonly<Record<Platform, string>> = { linux: 'Linux', darwin: 'MacOS', win32: 'Windows' };

/** The address SSM shows for an instance: the first external IPv4, else IPv6. */
export function primaryIpAddress(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): string {
  const all = Object.values(interfaces).flatMap((list) => list ?? []).filter((entry) => !entry.internal);
  return all.find((entry) => entry.family === 'IPv4')?.address ?? all.find((entry) => entry.family === 'IPv6')?.address ?? '';
}

/**
 * AWS:InstanceInformation: who this host is (Linux: /etc/os-release; elsewhere systeminformation's osInfo). AgentVersion and AgentStatus are the agent's to say: its uploader
 * fills them in (the plugin does not know which agent runs it).
 */
export const instanceInformationGatherer: Gatherer = {
  typeName: INSTANCE_INFORMATION_TYPE,
  platforms: ['linux', 'darwin', 'win32'],
  async gather(environment) {
    let name: string;
    let version: string;
    if (environment.platform === 'linux') {
      const release = await readOsRelease();
      name = release.NAME ?? 'Linux';
      version = release.VERSION_ID ?? os.release();
    } else {
      const info = await (await systemInformation()).osInfo();
      name = info.distro;
      version = info.release;
    }
    return singleItem(INSTANCE_INFORMATION_TYPE, '1.0', [
      compactRow({
        ComputerName: os.hostname(),
        InstanceId: environment.instanceId,
        IpAddress: primaryIpAddress(os.networkInterfaces()),
        PlatformName: name,
        PlatformType: PLATFORM_TYPES[environment.platform],
        PlatformVersion: version,
      }),
    ]);
  },
};
