import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Gatherer, InventoryRow } from '../inventory-types.js';
import { compactRow, sortRows } from '../rows.js';
import { parseDefaultRoute, systemInformation } from '../system-information.js';
import { singleItem } from './single-item.js';

export const NETWORK_TYPE = 'AWS:Network';

/** One network interface as the gatherer sees it, before it becomes a row. */
export interface InterfaceFacts {
  name: string;
  mac: string;
  loopback: boolean;
  ipv4: string[];
  ipv6: string[];
  subnetMask?: string;
  gateway?: string;
  dhcpServer?: string;
  dnsServer?: string;
}

/** The row SSM's agent reports per interface; several addresses of one family are joined with ", ". */
export function networkRow(facts: InterfaceFacts): InventoryRow {
  return compactRow(
    {
      Name: facts.name,
      SubnetMask: facts.subnetMask,
      Gateway: facts.gateway,
      DHCPServer: facts.dhcpServer,
      DNSServer: facts.dnsServer,
      MacAddress: facts.mac,
      IPV4: facts.ipv4.join(', '),
      IPV6: facts.ipv6.join(', '),
    },
    ['Name', 'MacAddress', 'IPV4', 'IPV6'],
  );
}

/** Loopback interfaces are left out, as SSM's agent does. */
export function networkRows(interfaces: readonly InterfaceFacts[]): InventoryRow[] {
  return sortRows(interfaces.filter((facts) => !facts.loopback).map(networkRow), ['Name']);
}

/**
 * Linux: every interface the kernel has (/sys/class/net, as `ip addr` lists them, down ones and ones without an
 * address included), with all of its addresses (node:os), and the default gateway (/proc/net/route) on the
 * interface it belongs to.
 */
async function linuxInterfaces(): Promise<InterfaceFacts[]> {
  const names = (await fs.readdir('/sys/class/net')).sort();
  const addresses = os.networkInterfaces();
  const route = parseDefaultRoute(await fs.readFile('/proc/net/route', 'utf8').catch(() => ''));
  const facts: InterfaceFacts[] = [];
  for (const name of names) {
    const read = (file: string) => fs.readFile(path.join('/sys/class/net', name, file), 'utf8').then((value) => value.trim()).catch(() => '');
    const type = await read('type');
    const list = addresses[name] ?? [];
    const ipv4 = list.filter((entry) => entry.family === 'IPv4');
    facts.push({
      name,
      mac: await read('address'),
      loopback: type === '772', // ARPHRD_LOOPBACK
      ipv4: ipv4.map((entry) => entry.address),
      ipv6: list.filter((entry) => entry.family === 'IPv6').map((entry) => entry.address),
      ...(ipv4[0] ? { subnetMask: ipv4[0].netmask } : {}),
      ...(route && name === route.iface ? { gateway: route.gateway } : {}),
    });
  }
  return facts;
}

/** Elsewhere: systeminformation's view (one address per family), with node:os adding any further addresses. */
async function otherInterfaces(): Promise<InterfaceFacts[]> {
  const si = await systemInformation();
  const addresses = os.networkInterfaces();
  const gateway = await si.networkGatewayDefault().catch(() => '');
  const list = await si.networkInterfaces();
  return (Array.isArray(list) ? list : [list]).map((entry) => {
    const own = addresses[entry.iface] ?? [];
    const ipv4 = own.filter((address) => address.family === 'IPv4').map((address) => address.address);
    const ipv6 = own.filter((address) => address.family === 'IPv6').map((address) => address.address);
    return {
      name: entry.ifaceName || entry.iface,
      mac: entry.mac,
      loopback: entry.internal,
      ipv4: ipv4.length ? ipv4 : entry.ip4 ? [entry.ip4] : [],
      ipv6: ipv6.length ? ipv6 : entry.ip6 ? [entry.ip6] : [],
      ...(entry.ip4subnet ? { subnetMask: entry.ip4subnet } : {}),
      ...(entry.default && gateway ? { gateway } : {}),
    };
  });
}

/** AWS:Network: the host's network interfaces and their addresses. */
export const networkGatherer: Gatherer = {
  typeName: NETWORK_TYPE,
  platforms: ['linux', 'darwin', 'win32'],
  async gather(environment) {
    const interfaces = environment.platform === 'linux' ? await linuxInterfaces() : await otherInterfaces();
    return singleItem(NETWORK_TYPE, '1.0', networkRows(interfaces));
  },
};
