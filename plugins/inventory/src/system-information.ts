import { promises as fs } from 'node:fs';

/**
 * systeminformation, loaded on first use only: importing it costs the agent about 11 MB of resident memory, so
 * on Linux, where the kernel's own files say the same thing more cheaply, the gatherers read those instead and
 * the module is never loaded; Windows and macOS use it.
 */
export async function systemInformation(): Promise<typeof import('systeminformation')> {
  const module = (await import('systeminformation')) as typeof import('systeminformation') & { default?: typeof import('systeminformation') };
  return module.default ?? module;
}

/** /etc/os-release (or /usr/lib/os-release): KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    let value = match[2] ?? '';
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    fields[match[1]!] = value;
  }
  return fields;
}

export async function readOsRelease(): Promise<Record<string, string>> {
  const text = await fs.readFile('/etc/os-release', 'utf8').catch(() => fs.readFile('/usr/lib/os-release', 'utf8')).catch(() => '');
  return parseOsRelease(text);
}

/**
 * The default IPv4 route from /proc/net/route: its interface and gateway (the table writes addresses as
 * little-endian hex). Undefined when there is none.
 */
export function parseDefaultRoute(text: string): { iface: string; gateway: string } | undefined {
  for (const line of text.split('\n').slice(1)) {
    const [iface, destination, gateway] = line.trim().split(/\s+/);
    if (!iface || destination !== '00000000' || !gateway || !/^[0-9A-Fa-f]{8}$/.test(gateway)) continue;
    const octets = [6, 4, 2, 0].map((at) => parseInt(gateway.slice(at, at + 2), 16));
    return { iface, gateway: octets.join('.') };
  }
  return undefined;
}
