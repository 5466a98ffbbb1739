import assert from 'node:assert/strict';
import { apiError, TEST_ACCOUNT, TEST_REGION } from './support/operation-harness.js';
import { patchFixture, type PatchFixture } from './support/patch-fixtures.js';

const ubuntuRules = {
  OperatingSystem: 'UBUNTU',
  ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Required', 'Important'] }, { Key: 'SECTION', Values: ['*'] }] }, ComplianceLevel: 'HIGH', ApproveAfterDays: 0 }] },
  ApprovedPatches: ['openssl'],
  RejectedPatches: ['telnet*'],
  RejectedPatchesAction: 'BLOCK',
};

describe('Patch baselines (operations)', () => {
  let f: PatchFixture;
  beforeEach(async () => {
    f = await patchFixture({ limits: { baselines: 3, groupsPerBaseline: 2 } });
  });
  afterEach(async () => f.close());

  it('ships a predefined default baseline per operating system, named by ARN as SSM names its own', async () => {
    const windows = await f.call('GetDefaultPatchBaseline');
    assert.equal(windows.OperatingSystem, 'WINDOWS', 'no OperatingSystem: the Windows default, as SSM');
    assert.match(String(windows.BaselineId), new RegExp(`^arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:patchbaseline/pb-[0-9a-f]{17}$`));
    const debian = await f.call('GetDefaultPatchBaseline', { OperatingSystem: 'DEBIAN' });
    const baseline = await f.call('GetPatchBaseline', { BaselineId: debian.BaselineId });
    assert.equal(baseline.Name, 'AWS-DebianDefaultPatchBaseline');
    assert.equal(baseline.OperatingSystem, 'DEBIAN');
    assert.ok((baseline.ApprovalRules as { PatchRules: unknown[] }).PatchRules.length > 0, 'the rules come from @tender/patch-baseline\'s data');
    const shortId = String(debian.BaselineId).split('/')[1];
    assert.equal((await f.call('GetPatchBaseline', { BaselineId: shortId })).Name, 'AWS-DebianDefaultPatchBaseline', 'the pb- id alone names it too');
    const aws = await f.call('DescribePatchBaselines', { Filters: [{ Key: 'OWNER', Values: ['AWS'] }] });
    const names = (aws.BaselineIdentities as Array<{ BaselineName: string; DefaultBaseline: boolean }>).map((b) => b.BaselineName);
    for (const name of ['AWS-DefaultPatchBaseline', 'AWS-UbuntuDefaultPatchBaseline', 'AWS-RedHatDefaultPatchBaseline', 'AWS-AmazonLinux2023DefaultPatchBaseline']) assert.ok(names.includes(name), name);
    await apiError(f.call('UpdatePatchBaseline', { BaselineId: debian.BaselineId, Description: 'mine' }), 'ValidationException', /predefined patch baseline and cannot be changed/);
    await apiError(f.call('DeletePatchBaseline', { BaselineId: debian.BaselineId }), 'ValidationException', /cannot be deleted/);
  });

  it('CreatePatchBaseline / GetPatchBaseline / DescribePatchBaselines with filters and pages', async () => {
    const { BaselineId: id } = await f.call('CreatePatchBaseline', { Name: 'ubuntu-prod', Description: 'production Ubuntu', ...ubuntuRules, Tags: [{ Key: 'team', Value: 'web' }] });
    assert.match(String(id), /^pb-[0-9a-f]{17}$/);
    const got = await f.call('GetPatchBaseline', { BaselineId: id });
    assert.equal(got.Name, 'ubuntu-prod');
    assert.equal(got.Description, 'production Ubuntu');
    assert.deepEqual(got.RejectedPatches, ['telnet*']);
    assert.equal(got.RejectedPatchesAction, 'BLOCK');
    assert.equal(got.ApprovedPatchesComplianceLevel, 'UNSPECIFIED');
    assert.deepEqual(got.PatchGroups, []);
    assert.equal(got.CreatedDate, Date.parse('2026-11-28T10:00:00Z') / 1000);
    f.clock.advance(1);
    await f.call('CreatePatchBaseline', { Name: 'ubuntu-dev', OperatingSystem: 'UBUNTU' });
    f.clock.advance(1);
    await f.call('CreatePatchBaseline', { Name: 'windows-all' });
    const self = await f.call('DescribePatchBaselines', { Filters: [{ Key: 'OWNER', Values: ['Self'] }, { Key: 'OPERATING_SYSTEM', Values: ['UBUNTU'] }] });
    assert.deepEqual((self.BaselineIdentities as Array<{ BaselineName: string }>).map((b) => b.BaselineName), ['ubuntu-prod', 'ubuntu-dev']);
    const prefixed = await f.call('DescribePatchBaselines', { Filters: [{ Key: 'NAME_PREFIX', Values: ['windows-'] }] });
    assert.deepEqual((prefixed.BaselineIdentities as Array<{ OperatingSystem: string }>).map((b) => b.OperatingSystem), ['WINDOWS'], 'no OperatingSystem: a WINDOWS baseline');
    const first = await f.call('DescribePatchBaselines', { MaxResults: 2, Filters: [{ Key: 'OWNER', Values: ['Self'] }] });
    assert.equal((first.BaselineIdentities as unknown[]).length, 2);
    const second = await f.call('DescribePatchBaselines', { MaxResults: 2, NextToken: first.NextToken, Filters: [{ Key: 'OWNER', Values: ['Self'] }] });
    assert.deepEqual((second.BaselineIdentities as Array<{ BaselineName: string }>).map((b) => b.BaselineName), ['windows-all']);
    assert.equal(second.NextToken, undefined);
    await apiError(f.call('DescribePatchBaselines', { Filters: [{ Key: 'COLOUR', Values: ['x'] }] }), 'ValidationException', /COLOUR is not a valid filter key/);
    await apiError(f.call('DescribePatchBaselines', { MaxResults: 101 }), 'ValidationException', /less than or equal to 100/);
  });

  it('DescribePatchBaselines and DescribePatchGroups go on from the last one shown: one removed between pages hides none', async () => {
    const made: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      f.clock.advance(1);
      made.push(String((await f.call('CreatePatchBaseline', { Name: name, OperatingSystem: 'UBUNTU' })).BaselineId));
    }
    const self = { Filters: [{ Key: 'OWNER', Values: ['Self'] }] };
    const first = await f.call('DescribePatchBaselines', { MaxResults: 2, ...self });
    assert.deepEqual((first.BaselineIdentities as Array<{ BaselineName: string }>).map((b) => b.BaselineName), ['one', 'two']);
    await f.call('DeletePatchBaseline', { BaselineId: made[0] }); // shown already: an offset of 2 would now skip 'three'
    const second = await f.call('DescribePatchBaselines', { MaxResults: 2, NextToken: first.NextToken, ...self });
    assert.deepEqual((second.BaselineIdentities as Array<{ BaselineName: string }>).map((b) => b.BaselineName), ['three']);

    for (const group of ['alpha', 'beta']) await f.call('RegisterPatchBaselineForPatchGroup', { BaselineId: made[1], PatchGroup: group });
    await f.call('RegisterPatchBaselineForPatchGroup', { BaselineId: made[2], PatchGroup: 'gamma' });
    const page = await f.call('DescribePatchGroups', { MaxResults: 1 });
    assert.deepEqual((page.Mappings as Array<{ PatchGroup: string }>).map((m) => m.PatchGroup), ['alpha']);
    await f.call('DeregisterPatchBaselineForPatchGroup', { BaselineId: made[1], PatchGroup: 'alpha' });
    const groups: string[] = [];
    let token = page.NextToken as string | undefined;
    while (token) {
      const next = await f.call('DescribePatchGroups', { MaxResults: 1, NextToken: token });
      groups.push(...(next.Mappings as Array<{ PatchGroup: string }>).map((m) => m.PatchGroup));
      token = next.NextToken as string | undefined;
    }
    assert.deepEqual(groups, ['beta', 'gamma']);
  });

  it('refuses bad baselines with SSM\'s errors and writes nothing', async () => {
    const count = async () => ((await f.call('DescribePatchBaselines', { Filters: [{ Key: 'OWNER', Values: ['Self'] }] })).BaselineIdentities as unknown[]).length;
    // No OperatingSystem: a WINDOWS baseline, so Ubuntu's PRIORITY is not a filter it has.
    const { OperatingSystem: _os, ...noOs } = ubuntuRules;
    await apiError(f.call('CreatePatchBaseline', { Name: 'forgot-os', ...noOs }), 'ValidationException', /PRIORITY is not supported for operating system WINDOWS.*names no OperatingSystem, so this is a WINDOWS baseline/);
    await apiError(f.call('CreatePatchBaseline', { Name: 'bad-key', OperatingSystem: 'AMAZON_LINUX_2', ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'SECTION', Values: ['libs'] }] }, ApproveAfterDays: 7 }] } }), 'ValidationException', /SECTION is not supported for operating system AMAZON_LINUX_2/);
    await apiError(f.call('CreatePatchBaseline', { Name: 'bad-value', OperatingSystem: 'REDHAT_ENTERPRISE_LINUX', GlobalFilters: { PatchFilters: [{ Key: 'SEVERITY', Values: ['Catastrophic'] }] } }), 'ValidationException', /Catastrophic is not a valid value of SEVERITY/);
    await apiError(f.call('CreatePatchBaseline', { Name: 'bad-kb', OperatingSystem: 'WINDOWS', ApprovedPatches: ['openssl'] }), 'ValidationException', /"openssl" is not a valid patch for operating system WINDOWS/);
    await apiError(f.call('CreatePatchBaseline', { Name: 'bad-deb', OperatingSystem: 'DEBIAN', RejectedPatches: ['open ssl'] }), 'ValidationException', /"open ssl" is not a valid patch for operating system DEBIAN/);
    await apiError(f.call('CreatePatchBaseline', { Name: 'bad-days', OperatingSystem: 'CENTOS', ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [] }, ApproveAfterDays: 361 }] } }), 'ValidationException', /approveAfterDays.*between 0 and 360/);
    await apiError(f.call('CreatePatchBaseline', { Name: 'x', OperatingSystem: 'UBUNTU' }), 'ValidationException', /at 'name' failed to satisfy constraint: Member must have length greater than or equal to 3/);
    await apiError(f.call('CreatePatchBaseline', { Name: 'bad-os', OperatingSystem: 'BEOS' }), 'ValidationException', /Member must satisfy enum value set/);
    await apiError(f.call('CreatePatchBaseline', { Name: 'bad-filters', OperatingSystem: 'UBUNTU', GlobalFilters: { PatchFilters: [1, 2, 3, 4, 5].map(() => ({ Key: 'PRODUCT', Values: ['*'] })) } }), 'ValidationException', /length less than or equal to 4/);
    assert.equal(await count(), 0);
  });

  it('ClientToken makes CreatePatchBaseline idempotent; the limit is ResourceLimitExceededException', async () => {
    const a = await f.call('CreatePatchBaseline', { Name: 'one', OperatingSystem: 'DEBIAN', ClientToken: 'tok-1' });
    assert.deepEqual(await f.call('CreatePatchBaseline', { Name: 'one', OperatingSystem: 'DEBIAN', ClientToken: 'tok-1' }), a);
    await apiError(f.call('CreatePatchBaseline', { Name: 'other', OperatingSystem: 'DEBIAN', ClientToken: 'tok-1' }), 'IdempotentParameterMismatch');
    await f.call('CreatePatchBaseline', { Name: 'two', OperatingSystem: 'DEBIAN' });
    await f.call('CreatePatchBaseline', { Name: 'three', OperatingSystem: 'DEBIAN' });
    await apiError(f.call('CreatePatchBaseline', { Name: 'four', OperatingSystem: 'DEBIAN' }), 'ResourceLimitExceededException', /3 custom patch baselines/);
  });

  it('UpdatePatchBaseline changes what it is given; Replace resets the rest; the operating system stays', async () => {
    const { BaselineId: id } = await f.call('CreatePatchBaseline', { Name: 'ubuntu-prod', Description: 'd', ...ubuntuRules });
    f.clock.advance(60);
    const updated = await f.call('UpdatePatchBaseline', { BaselineId: id, ApprovedPatches: ['openssl', 'libssl3'] });
    assert.deepEqual(updated.ApprovedPatches, ['openssl', 'libssl3']);
    assert.deepEqual(updated.RejectedPatches, ['telnet*'], 'not given: kept');
    assert.equal(updated.ModifiedDate, Date.parse('2026-11-28T10:01:00Z') / 1000);
    const replaced = await f.call('UpdatePatchBaseline', { BaselineId: id, Name: 'ubuntu-prod-2', Replace: true, RejectedPatches: ['nano'] });
    assert.equal(replaced.Name, 'ubuntu-prod-2');
    assert.deepEqual(replaced.ApprovedPatches, [], 'Replace: not given, reset');
    assert.equal(replaced.RejectedPatchesAction, 'ALLOW_AS_DEPENDENCY');
    assert.equal(replaced.Description, undefined);
    await apiError(f.call('UpdatePatchBaseline', { BaselineId: id, OperatingSystem: 'DEBIAN' }), 'ValidationException', /OperatingSystem cannot be changed/);
    await apiError(f.call('UpdatePatchBaseline', { BaselineId: id, ApprovedPatches: ['KB123 456'] }), 'ValidationException', /is not a valid patch/);
    assert.deepEqual((await f.call('GetPatchBaseline', { BaselineId: id })).RejectedPatches, ['nano'], 'a refused update changes nothing');
    await apiError(f.call('UpdatePatchBaseline', { BaselineId: 'pb-0123456789abcdef0' }), 'DoesNotExistException');
  });

  it('defaults and patch groups: RegisterDefaultPatchBaseline, Register/Deregister, GetPatchBaselineForPatchGroup, DescribePatchGroups, DeletePatchBaseline', async () => {
    const { BaselineId: ubuntu } = await f.call('CreatePatchBaseline', { Name: 'ubuntu-prod', ...ubuntuRules });
    const { BaselineId: windows } = await f.call('CreatePatchBaseline', { Name: 'win-prod', OperatingSystem: 'WINDOWS' });
    assert.deepEqual(await f.call('RegisterDefaultPatchBaseline', { BaselineId: ubuntu }), { BaselineId: ubuntu });
    assert.equal((await f.call('GetDefaultPatchBaseline', { OperatingSystem: 'UBUNTU' })).BaselineId, ubuntu);
    await apiError(f.call('DeletePatchBaseline', { BaselineId: ubuntu }), 'ResourceInUseException', /default baseline for UBUNTU/);
    const predefined = await f.call('DescribePatchBaselines', { Filters: [{ Key: 'NAME_PREFIX', Values: ['AWS-UbuntuDefault'] }] });
    const awsUbuntu = (predefined.BaselineIdentities as Array<{ BaselineId: string; DefaultBaseline: boolean }>)[0]!;
    assert.equal(awsUbuntu.DefaultBaseline, false, 'no longer the default');
    await f.call('RegisterDefaultPatchBaseline', { BaselineId: awsUbuntu.BaselineId });

    await f.call('RegisterPatchBaselineForPatchGroup', { BaselineId: ubuntu, PatchGroup: 'web' });
    await f.call('RegisterPatchBaselineForPatchGroup', { BaselineId: windows, PatchGroup: 'web' });
    await apiError(f.call('RegisterPatchBaselineForPatchGroup', { BaselineId: awsUbuntu.BaselineId, PatchGroup: 'web' }), 'AlreadyExistsException', /already registered with a baseline for operating system UBUNTU/);
    await f.call('RegisterPatchBaselineForPatchGroup', { BaselineId: ubuntu, PatchGroup: 'db' });
    await apiError(f.call('RegisterPatchBaselineForPatchGroup', { BaselineId: ubuntu, PatchGroup: 'cache' }), 'ResourceLimitExceededException');
    assert.deepEqual(await f.call('GetPatchBaselineForPatchGroup', { PatchGroup: 'web', OperatingSystem: 'UBUNTU' }), { BaselineId: ubuntu, PatchGroup: 'web', OperatingSystem: 'UBUNTU' });
    assert.equal((await f.call('GetPatchBaselineForPatchGroup', { PatchGroup: 'web' })).BaselineId, windows, 'no OperatingSystem: WINDOWS');
    assert.equal((await f.call('GetPatchBaselineForPatchGroup', { PatchGroup: 'web', OperatingSystem: 'DEBIAN' })).BaselineId, (await f.call('GetDefaultPatchBaseline', { OperatingSystem: 'DEBIAN' })).BaselineId, 'no registration: the default');
    assert.deepEqual((await f.call('GetPatchBaseline', { BaselineId: ubuntu })).PatchGroups, ['db', 'web']);
    const groups = await f.call('DescribePatchGroups', { Filters: [{ Key: 'OPERATING_SYSTEM', Values: ['UBUNTU'] }] });
    assert.deepEqual((groups.Mappings as Array<{ PatchGroup: string; BaselineIdentity: { BaselineName: string } }>).map((m) => [m.PatchGroup, m.BaselineIdentity.BaselineName]), [['db', 'ubuntu-prod'], ['web', 'ubuntu-prod']]);
    const prefixed = await f.call('DescribePatchGroups', { Filters: [{ Key: 'NAME_PREFIX', Values: ['we'] }] });
    assert.equal((prefixed.Mappings as unknown[]).length, 2);

    await apiError(f.call('DeletePatchBaseline', { BaselineId: ubuntu }), 'ResourceInUseException', /registered for patch group\(s\) db, web/);
    await apiError(f.call('DeregisterPatchBaselineForPatchGroup', { BaselineId: windows, PatchGroup: 'db' }), 'InvalidResourceId');
    await f.call('DeregisterPatchBaselineForPatchGroup', { BaselineId: ubuntu, PatchGroup: 'db' });
    await f.call('DeregisterPatchBaselineForPatchGroup', { BaselineId: ubuntu, PatchGroup: 'web' });
    assert.deepEqual(await f.call('DeletePatchBaseline', { BaselineId: ubuntu }), { BaselineId: ubuntu });
    await apiError(f.call('GetPatchBaseline', { BaselineId: ubuntu }), 'DoesNotExistException');
    await apiError(f.call('GetPatchBaseline', { BaselineId: 'not-a-baseline-id-at-all' }), 'InvalidResourceId');
  });

  it('DescribePatchProperties lists each operating system\'s properties', async () => {
    const priorities = await f.call('DescribePatchProperties', { OperatingSystem: 'UBUNTU', Property: 'PRIORITY' });
    assert.deepEqual((priorities.Properties as Array<{ Name: string }>).map((p) => p.Name), ['Required', 'Important', 'Standard', 'Optional', 'Extra']);
    const msrc = await f.call('DescribePatchProperties', { OperatingSystem: 'WINDOWS', Property: 'MSRC_SEVERITY', MaxResults: 2 });
    assert.equal((msrc.Properties as unknown[]).length, 2);
    assert.ok(msrc.NextToken);
    f.instances.set('mi-00000000000000001', (await import('./support/patch-fixtures.js')).instance('mi-00000000000000001', { name: 'Debian GNU/Linux', version: '13' }));
    const products = await f.call('DescribePatchProperties', { OperatingSystem: 'DEBIAN', Property: 'PRODUCT' });
    assert.ok((products.Properties as Array<{ Name: string }>).some((p) => p.Name === 'Debian13'), 'a product the fleet runs is listed');
    await apiError(f.call('DescribePatchProperties', { OperatingSystem: 'WINDOWS', Property: 'PRIORITY' }), 'ValidationException', /PRIORITY is not a patch property of WINDOWS/);
    await apiError(f.call('DescribePatchProperties', { OperatingSystem: 'UBUNTU', Property: 'COLOUR' }), 'ValidationException', /enum value set/);
  });
});
