import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_VERSION, gatherPlatformInfo, parseOsRelease, parseSwVers, primaryAddress } from '../src/index.js';

// Plain-text fixtures are not copied by tsc: read them from the source tree, relative to dist/test/.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(HERE, '../../test/fixtures');
const readFixture = (name: string): Promise<string> => fs.readFile(path.join(FIXTURES, name), 'utf8');

describe('agent: platform info', () => {
  describe('parseOsRelease', () => {
    // Recorded real /etc/os-release contents of each distribution (see test/fixtures/os-release/README.md).
    const cases: Array<{ file: string; name: string; versionId: string; id: string; pretty: string }> = [
      { file: 'debian-12', name: 'Debian GNU/Linux', versionId: '12', id: 'debian', pretty: 'Debian GNU/Linux 12 (bookworm)' },
      { file: 'ubuntu-22.04', name: 'Ubuntu', versionId: '22.04', id: 'ubuntu', pretty: 'Ubuntu 22.04.4 LTS' },
      { file: 'amzn-2023', name: 'Amazon Linux', versionId: '2023', id: 'amzn', pretty: 'Amazon Linux 2023.4.20240416' },
      { file: 'rhel-9', name: 'Red Hat Enterprise Linux', versionId: '9.4', id: 'rhel', pretty: 'Red Hat Enterprise Linux 9.4 (Plow)' },
      { file: 'alpine-3.19', name: 'Alpine Linux', versionId: '3.19.1', id: 'alpine', pretty: 'Alpine Linux v3.19' },
    ];
    for (const c of cases) {
      it(`${c.file}: NAME ${JSON.stringify(c.name)}, VERSION_ID ${c.versionId}`, async () => {
        const fields = parseOsRelease(await readFixture(`os-release/${c.file}`));
        assert.equal(fields.NAME, c.name);
        assert.equal(fields.VERSION_ID, c.versionId);
        assert.equal(fields.ID, c.id);
        assert.equal(fields.PRETTY_NAME, c.pretty);
      });
    }

    it('keeps values that contain = : and /, and unquoted values as they are', async () => {
      const rhel = parseOsRelease(await readFixture('os-release/rhel-9'));
      assert.equal(rhel.CPE_NAME, 'cpe:/o:redhat:enterprise_linux:9::baseos');
      assert.equal(rhel.REDHAT_BUGZILLA_PRODUCT_VERSION, '9.4', 'the line after the blank line is read');
      const ubuntu = parseOsRelease(await readFixture('os-release/ubuntu-22.04'));
      assert.equal(ubuntu.ID_LIKE, 'debian');
      assert.equal(ubuntu.UBUNTU_CODENAME, 'jammy');
    });

    it('skips comments and junk, tolerates CRLF, unescapes quoted values', () => {
      const fields = parseOsRelease('# a comment\r\nNAME="Weird \\"Linux\\""\r\n\r\nnot a line\r\nVERSION_ID=\'1.0\'\r\nlower=case\r\nEMPTY=\r\n');
      assert.deepEqual(fields, { NAME: 'Weird "Linux"', VERSION_ID: '1.0', EMPTY: '' });
    });

    it('returns nothing for an empty file', () => {
      assert.deepEqual(parseOsRelease(''), {});
    });
  });

  describe('parseSwVers', () => {
    // Real `sw_vers` output (see test/fixtures/sw_vers/README.md).
    it('macOS 14 (two tabs after each key)', async () => {
      assert.deepEqual(parseSwVers(await readFixture('sw_vers/macos-14.4.1')), { name: 'macOS', version: '14.4.1' });
    });

    it('macOS 13 with a Rapid Security Response: ProductVersionExtra is not taken for ProductVersion', async () => {
      assert.deepEqual(parseSwVers(await readFixture('sw_vers/macos-13.4.1-rsr')), { name: 'macOS', version: '13.4.1' });
    });

    it('Mac OS X 10.15 (one tab, old product name)', async () => {
      assert.deepEqual(parseSwVers(await readFixture('sw_vers/macos-10.15.7')), { name: 'Mac OS X', version: '10.15.7' });
    });

    it('no output (sw_vers failed): name macOS, no version', () => {
      assert.deepEqual(parseSwVers(''), { name: 'macOS', version: '' });
    });
  });

  describe('primaryAddress', () => {
    const v4 = (address: string, internal = false): os.NetworkInterfaceInfo => ({ address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:42:ac:11:00:02', internal, cidr: `${address}/24` });
    const v6 = (address: string, internal = false): os.NetworkInterfaceInfo => ({ address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:42:ac:11:00:02', internal, cidr: `${address}/64`, scopeid: 0 });

    it('skips internal interfaces and prefers IPv4 even when IPv6 comes first', () => {
      const address = primaryAddress({
        lo: [v4('127.0.0.1', true), v6('::1', true)],
        eth0: [v6('2001:db8::10'), v4('10.0.3.15')],
      });
      assert.equal(address, '10.0.3.15');
    });

    it('takes an IPv4 from a later interface over an IPv6 of an earlier one', () => {
      assert.equal(primaryAddress({ eth0: [v6('2001:db8::10')], eth1: [v4('192.168.1.20')] }), '192.168.1.20');
    });

    it('falls back to IPv6 when there is no external IPv4', () => {
      assert.equal(primaryAddress({ lo: [v4('127.0.0.1', true)], eth0: [v6('2001:db8::10')] }), '2001:db8::10');
    });

    it('falls back to loopback when every interface is internal, or there are none', () => {
      assert.equal(primaryAddress({ lo: [v4('127.0.0.1', true), v6('::1', true)] }), '127.0.0.1');
      assert.equal(primaryAddress({}), '127.0.0.1');
      assert.equal(primaryAddress({ eth0: undefined }), '127.0.0.1');
    });
  });

  describe('gatherPlatformInfo on this machine', () => {
    it('reports Linux, the distribution\'s name, this host, an address and the agent version', async function () {
      if (process.platform !== 'linux') this.skip();
      const info = await gatherPlatformInfo();
      // Read NAME and VERSION_ID without the parser under test.
      const text = await fs.readFile('/etc/os-release', 'utf8').catch(() => fs.readFile('/usr/lib/os-release', 'utf8'));
      const field = (key: string) => /^(?:"|')?(.*?)(?:"|')?$/.exec(new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '')?.[1];
      const agentPackage = JSON.parse(await fs.readFile(path.resolve(HERE, '../../package.json'), 'utf8')) as { version: string };

      assert.equal(info.PlatformType, 'Linux');
      assert.equal(info.PlatformName, field('NAME'));
      assert.equal(info.PlatformVersion, field('VERSION_ID') ?? os.release());
      assert.ok(info.ComputerName.length > 0);
      assert.equal(info.ComputerName, os.hostname());
      assert.ok(net.isIP(info.IPAddress) !== 0, `IPAddress ${info.IPAddress} is an IP address`);
      assert.equal(info.AgentVersion, agentPackage.version);
      assert.equal(AGENT_VERSION, agentPackage.version);
      assert.equal(info.Architecture, os.arch());
      assert.equal(info.KernelVersion, os.release());
    });
  });
});
