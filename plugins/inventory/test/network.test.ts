import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { networkGatherer, networkRows } from '../src/gatherers/network.js';
import { parseDefaultRoute } from '../src/system-information.js';
import { fixture } from './fixtures.js';
import { environment } from './fixtures.js';

interface IpLink {
  ifname: string;
  flags: string[];
  address?: string;
  addr_info: Array<{ family: string; local: string }>;
}

const ipAvailable = process.platform === 'linux' && (() => {
  try {
    execFileSync('ip', ['-j', 'addr'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('inventory: AWS:Network', () => {
  it('leaves loopback out, joins several addresses and always has Name, MacAddress, IPV4 and IPV6', () => {
    const rows = networkRows([
      { name: 'lo', mac: '00:00:00:00:00:00', loopback: true, ipv4: ['127.0.0.1'], ipv6: ['::1'] },
      { name: 'eth1', mac: '02:00:00:00:00:02', loopback: false, ipv4: [], ipv6: [] },
      { name: 'eth0', mac: '02:00:00:00:00:01', loopback: false, ipv4: ['10.0.0.5', '10.0.0.6'], ipv6: ['fe80::1'], subnetMask: '255.255.255.0', gateway: '10.0.0.1' },
    ]);
    assert.deepEqual(rows, [
      { Name: 'eth0', SubnetMask: '255.255.255.0', Gateway: '10.0.0.1', MacAddress: '02:00:00:00:00:01', IPV4: '10.0.0.5, 10.0.0.6', IPV6: 'fe80::1' },
      { Name: 'eth1', MacAddress: '02:00:00:00:00:02', IPV4: '', IPV6: '' },
    ]);
  });

  it('finds the default gateway in /proc/net/route (recorded on this project\'s VM)', () => {
    assert.deepEqual(parseDefaultRoute(fixture('debian-12-proc-net-route')), { iface: 'eth0', gateway: '192.0.2.1' });
    assert.equal(parseDefaultRoute('Iface\tDestination\tGateway\neth0\t0002000A\t00000000\n'), undefined);
  });

  (ipAvailable ? it : it.skip)('on this host matches `ip -j addr`: every non-loopback interface, its MAC and all its addresses', async () => {
    const links = JSON.parse(execFileSync('ip', ['-j', 'addr'], { encoding: 'utf8' })) as IpLink[];
    const expected = links
      .filter((link) => !link.flags.includes('LOOPBACK'))
      .map((link) => ({
        Name: link.ifname,
        MacAddress: link.address ?? '',
        IPV4: link.addr_info.filter((a) => a.family === 'inet').map((a) => a.local).sort().join(', '),
        IPV6: link.addr_info.filter((a) => a.family === 'inet6').map((a) => a.local).sort().join(', '),
      }))
      .sort((a, b) => (a.Name < b.Name ? -1 : 1));
    const { items } = await networkGatherer.gather(environment());
    const got = items[0]!.Content.map((row) => ({
      Name: row.Name,
      MacAddress: row.MacAddress,
      IPV4: row.IPV4!.split(', ').filter(Boolean).sort().join(', '),
      IPV6: row.IPV6!.split(', ').filter(Boolean).sort().join(', '),
    }));
    assert.deepEqual(got, expected);
    assert.ok(expected.length > 0);
  });
});
