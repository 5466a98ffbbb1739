import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestControlPlane, type TestControlPlane } from '../support/control-plane.js';
import { eventually } from '../support/processes.js';
import { bootContainer, buildPackages, containerUnavailable, INSTALL_SCRIPT, PACKAGES_DIR, type BootedContainer, type BuiltPackages } from './agent-service-support.js';

/**
 * The acceptance test of issue 9: a real systemd (PID 1 of a Debian 12 container booted with systemd-nspawn)
 * runs the agent from the .deb, installed by install/install.sh with a hybrid activation against a control plane
 * on this host. Skips, saying why, where the container cannot run (see containerUnavailable()).
 */
describe('agent service: the .deb and install.sh under a booted systemd', function () {
  this.timeout(180_000);
  let packages: BuiltPackages;
  let cp: TestControlPlane;
  let box: BootedContainer;
  let instanceId = '';
  let activation: { id: string; code: string };

  before(async function () {
    this.timeout(600_000);
    const reason = containerUnavailable();
    if (reason) {
      process.stdout.write(`      skipped: ${reason}\n`);
      this.skip();
    }
    packages = await buildPackages();
    cp = await startTestControlPlane({ heartbeatSeconds: 2 });
    activation = await cp.createActivation({ limit: 1, name: 'box' });
    box = await bootContainer({ [PACKAGES_DIR]: '/packages', [path.dirname(INSTALL_SCRIPT)]: '/install' });
  });

  after(async () => {
    await box?.stop();
    await cp?.stop();
  });

  const inside = (file: string) => `/packages/${path.basename(file)}`;
  const unitProp = async (prop: string) => (await box.ok(['systemctl', 'show', '-p', prop, '--value', 'tender-agent.service'])).trim();
  const online = (what: string) => cp.untilOnline(instanceId, what, 30_000);

  it('install.sh with the .deb and an activation: registers, installs, starts the service; the instance is Online', async () => {
    const out = await box.ok(['sh', '/install/install.sh', '--package', inside(packages.deb), '--endpoint', cp.running.endpoint, '--activation-id', activation.id, '--activation-code', activation.code, '--name', 'web-1']);
    instanceId = /registered as (mi-[0-9a-f]{17})/.exec(out)?.[1] ?? '';
    assert.ok(instanceId, out);
    assert.match(out, /installed tender-agent 0\.1\.0 \(deb\) in \/opt\/tender-agent/);
    assert.match(out, /running\s+yes, pid \d+ \[active \(running\)\]/);
    await online('Online after install');
    const info = await cp.describe(instanceId);
    assert.equal(info?.Name, 'web-1');
    assert.equal(info?.AgentVersion, '0.1.0');
    assert.equal(await unitProp('UnitFileState'), 'enabled', 'starts at boot');
    // The unit as installed, checked by the container's own systemd: no output at all.
    const verify = await box.exec(['systemd-analyze', 'verify', 'tender-agent.service']);
    assert.equal(`${verify.stdout}${verify.stderr}`, '');
    assert.equal(verify.code, 0);
    assert.equal((await box.ok(['stat', '-c', '%a', '/var/lib/tender-agent'])).trim(), '700');
    assert.equal((await box.ok(['stat', '-c', '%a', '/var/lib/tender-agent/identity.json'])).trim(), '600');
    const journal = await box.ok(['journalctl', '-u', 'tender-agent', '-o', 'cat', '--no-pager']);
    assert.match(journal, /"msg":"connected to the control plane"/, 'the agent logs to the journal');
    assert.doesNotMatch(journal, new RegExp(activation.code), 'the activation code is in no log');
  });

  it('systemctl restart: the same instance id, a new process, Online again', async () => {
    const pid = await unitProp('MainPID');
    await box.ok(['systemctl', 'restart', 'tender-agent.service']);
    assert.notEqual(await unitProp('MainPID'), pid);
    await online('Online after restart');
    assert.match(await box.ok(['tender-agent', 'status', '--json']), new RegExp(`"instanceId": "${instanceId}"`));
  });

  it('killing the agent: systemd restarts it (Restart=on-failure) and it comes back Online', async () => {
    const pid = await unitProp('MainPID');
    const restarts = Number(await unitProp('NRestarts'));
    await box.ok(['sh', '-c', `kill -9 ${pid}`]);
    // RestartSec=5s: systemd waits before starting it again.
    await eventually(async () => Number(await unitProp('NRestarts')) === restarts + 1 && (await unitProp('ActiveState')) === 'active', 'restarted by systemd', 30_000, 250);
    assert.notEqual(await unitProp('MainPID'), pid);
    await online('Online after the kill');
  });

  it('tender-agent service stop → ConnectionLost; service start → Online; service status --json says so', async () => {
    const stopped = JSON.parse(await box.ok(['tender-agent', 'service', 'stop', '--json'])) as { status: { running: boolean; enabled: boolean } };
    assert.equal(stopped.status.running, false);
    assert.equal(stopped.status.enabled, true, 'still starts at boot');
    await eventually(async () => (await cp.describe(instanceId))?.PingStatus === 'ConnectionLost', 'ConnectionLost after stop', 30_000, 250);
    const status = await box.exec(['tender-agent', 'service', 'status']);
    assert.equal(status.code, 3, 'not running: exit 3, as systemctl status');
    await box.ok(['tender-agent', 'service', 'start']);
    await online('Online after service start');
  });

  it('rerunning install.sh with a newer .deb upgrades in place: same id, new AgentVersion, no new registration', async () => {
    // The activation allowed one registration, already used: an upgrade that registered again would fail.
    const out = await box.ok(['sh', '/install/install.sh', '--package', inside(packages.upgradeDeb), '--endpoint', cp.running.endpoint]);
    assert.match(out, new RegExp(`already registered as ${instanceId}: keeping that identity`));
    assert.match(out, /installed tender-agent 0\.1\.1 \(deb\)/);
    assert.equal((await box.ok(['dpkg-query', '-W', '-f', '${Version}', 'tender-agent'])).trim(), '0.1.1');
    await eventually(async () => (await cp.describe(instanceId))?.AgentVersion === '0.1.1' && (await cp.describe(instanceId))?.PingStatus === 'Online', 'Online as 0.1.1', 30_000, 250);
  });

  it('dpkg -i of a newer package alone restarts a running agent onto it (postinst try-restart)', async () => {
    const pid = await unitProp('MainPID');
    await box.ok(['dpkg', '-i', inside(packages.deb)]);
    assert.notEqual(await unitProp('MainPID'), pid);
    await eventually(async () => (await cp.describe(instanceId))?.AgentVersion === '0.1.0' && (await cp.describe(instanceId))?.PingStatus === 'Online', 'Online as 0.1.0', 30_000, 250);
  });

  it('install.sh --uninstall removes the unit and binaries and keeps the identity; --purge removes it too', async () => {
    const out = await box.ok(['sh', '/install/install.sh', '--uninstall']);
    assert.match(out, /kept the identity and state in \/var\/lib\/tender-agent/);
    assert.equal(await unitProp('LoadState'), 'not-found', 'no unit any more');
    assert.equal((await box.exec(['test', '-e', '/opt/tender-agent'])).code, 1, '/opt/tender-agent is gone');
    assert.equal((await box.exec(['test', '-e', '/usr/bin/tender-agent'])).code, 1);
    assert.equal((await box.exec(['test', '-f', '/var/lib/tender-agent/identity.json'])).code, 0, 'identity kept');
    await eventually(async () => (await cp.describe(instanceId))?.PingStatus === 'ConnectionLost', 'ConnectionLost after uninstall', 30_000, 250);
    await box.ok(['sh', '/install/install.sh', '--uninstall', '--purge']);
    assert.equal((await box.exec(['test', '-e', '/var/lib/tender-agent'])).code, 1, 'state purged');
    assert.equal((await box.exec(['test', '-e', '/etc/tender-agent'])).code, 1, 'configuration purged');
  });

  it('the tarball: install.sh writes /etc/systemd/system/tender-agent.service; an upgrade that does not start goes back', async () => {
    const second = await cp.createActivation({ limit: 1 });
    const out = await box.ok(['sh', '/install/install.sh', '--package', inside(packages.tar), '--endpoint', cp.running.endpoint, '--activation-id', second.id, '--activation-code', second.code]);
    const tarInstance = /registered as (mi-[0-9a-f]{17})/.exec(out)?.[1] ?? '';
    assert.match(out, /wrote \/etc\/systemd\/system\/tender-agent\.service/);
    assert.equal(await unitProp('FragmentPath'), '/etc/systemd/system/tender-agent.service');
    assert.match(await unitProp('ExecStart'), /path=\/opt\/tender-agent\/bin\/tender-agent ; argv\[\]=\/opt\/tender-agent\/bin\/tender-agent start ;/);
    await cp.untilOnline(tarInstance, 'tarball install Online', 30_000);

    // A 0.1.1 whose agent hangs for 3 s without starting, then exits: the service is "active" for those seconds
    // (a fixed wait of 1.5 s took that for a start), but the agent never says it is up, so install.sh puts 0.1.0 back.
    const broken = '/tmp/broken';
    await box.ok(['sh', '-c', `mkdir -p ${broken} && tar -xzf ${inside(packages.upgradeTar)} -C ${broken} && sed -i '1a if (process.argv[2] === "start") { setTimeout(() => process.exit(1), 3000); await new Promise(() => {}); }' ${broken}/tender-agent/lib/node_modules/@tender/agent/bin/run.js && tar -czf /tmp/tender-agent-0.1.1.tar.gz -C ${broken} tender-agent`]);
    const rollback = await box.exec(['sh', '/install/install.sh', '--package', '/tmp/tender-agent-0.1.1.tar.gz']);
    assert.notEqual(rollback.code, 0);
    assert.match(rollback.stderr, /tender-agent 0\.1\.1 did not start; went back to 0\.1\.0/);
    assert.equal((await box.ok(['cat', '/opt/tender-agent/VERSION'])).trim(), '0.1.0');
    assert.equal(await unitProp('ActiveState'), 'active');
    await eventually(async () => (await cp.describe(tarInstance))?.PingStatus === 'Online' && (await cp.describe(tarInstance))?.AgentVersion === '0.1.0', 'Online on 0.1.0 again', 30_000, 250);

    await box.ok(['sh', '/install/install.sh', '--uninstall', '--purge']);
    assert.equal(await unitProp('LoadState'), 'not-found');
    assert.equal((await box.exec(['test', '-e', '/etc/systemd/system/tender-agent.service'])).code, 1, 'the unit it wrote is removed');
    assert.equal((await box.exec(['test', '-e', '/opt/tender-agent'])).code, 1);
  });

  it('the .deb: an upgrade whose agent does not start is rolled back to the kept previous .deb, same identity', async () => {
    const third = await cp.createActivation({ limit: 1 });
    const out = await box.ok(['sh', '/install/install.sh', '--package', inside(packages.deb), '--endpoint', cp.running.endpoint, '--activation-id', third.id, '--activation-code', third.code]);
    const debInstance = /registered as (mi-[0-9a-f]{17})/.exec(out)?.[1] ?? '';
    assert.ok(debInstance, out);
    await cp.untilOnline(debInstance, '.deb install Online', 30_000);
    assert.equal((await box.ok(['ls', '/var/lib/tender-agent/packages'])).trim(), 'tender-agent-0.1.0.deb', 'the installed .deb is kept');

    // A 0.1.1 .deb whose agent exits at once; dpkg keeps no old version, so only the kept copy can bring 0.1.0 back.
    const broken = '/tmp/broken-deb';
    await box.ok(['sh', '-c', `dpkg-deb -R ${inside(packages.upgradeDeb)} ${broken} && sed -i '1a if (process.argv[2] === "start") process.exit(1);' ${broken}/opt/tender-agent/lib/node_modules/@tender/agent/bin/run.js && dpkg-deb -Zgzip -z1 -b ${broken} /tmp/tender-agent_0.1.1_all.deb`]);
    const rollback = await box.exec(['sh', '/install/install.sh', '--package', '/tmp/tender-agent_0.1.1_all.deb']);
    assert.notEqual(rollback.code, 0, rollback.stdout);
    assert.match(rollback.stdout, /installed tender-agent 0\.1\.1 \(deb\)/);
    assert.match(rollback.stderr, new RegExp(`tender-agent 0\\.1\\.1 did not start; rolled back to 0\\.1\\.0, which runs again as instance ${debInstance}`));
    assert.equal((await box.ok(['dpkg-query', '-W', '-f', '${Version}', 'tender-agent'])).trim(), '0.1.0');
    assert.equal(await unitProp('ActiveState'), 'active');
    assert.equal((await box.ok(['ls', '/var/lib/tender-agent/packages'])).trim(), 'tender-agent-0.1.0.deb', 'the broken .deb is not kept');
    await eventually(async () => (await cp.describe(debInstance))?.PingStatus === 'Online' && (await cp.describe(debInstance))?.AgentVersion === '0.1.0', 'Online on 0.1.0 again', 30_000, 250);
    assert.match(await box.ok(['tender-agent', 'status', '--json']), new RegExp(`"instanceId": "${debInstance}"`), 'the same identity');

    // A good upgrade keeps the new .deb and the one it replaced, the next rollback's target.
    await box.ok(['sh', '/install/install.sh', '--package', inside(packages.upgradeDeb)]);
    assert.deepEqual((await box.ok(['ls', '/var/lib/tender-agent/packages'])).trim().split('\n'), ['tender-agent-0.1.0.deb', 'tender-agent-0.1.1.deb']);

    // 0.1.0 installed by hand, with no kept copy: nothing to go back to, and install.sh says so.
    await box.ok(['sh', '-c', `rm -rf /var/lib/tender-agent/packages && dpkg -i ${inside(packages.deb)}`]);
    const stuck = await box.exec(['sh', '/install/install.sh', '--package', '/tmp/tender-agent_0.1.1_all.deb']);
    assert.notEqual(stuck.code, 0, stuck.stdout);
    assert.match(stuck.stderr, /tender-agent 0\.1\.1 did not start \(see above\), and there is no kept copy of 0\.1\.0 in \/var\/lib\/tender-agent\/packages to roll back to/);
    await box.ok(['sh', '/install/install.sh', '--uninstall', '--purge']);
  });

  it('the .deb refuses to install without a new enough Node.js, and leaves nothing behind', async () => {
    const result = await box.exec(['dpkg', '-i', inside(packages.deb)], { TENDER_AGENT_NODE: '/usr/bin/false' });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /tender-agent needs Node\.js 20\.19 or newer; \/usr\/bin\/false does not run/);
    assert.equal((await box.exec(['test', '-e', '/opt/tender-agent'])).code, 1, 'nothing unpacked');
    assert.doesNotMatch(await box.ok(['dpkg-query', '-W', '-f', '${Status}', 'tender-agent']).catch(() => 'not-installed'), /install ok installed/);
  });
});
