import assert from 'node:assert/strict';
import {
  PATCH_OPERATING_SYSTEMS, PREDEFINED_PATCH_BASELINES, PatchBaselineError, operatingSystemFromOsRelease, parseOsRelease,
  patchPropertyValues, predefinedDefaultBaseline, productFromOsRelease, validateBaselineDefinition, type PatchBaselineDefinition,
} from '../src/index.js';

const rules = (filters: Record<string, string[]>, extra: Record<string, unknown> = { ApproveAfterDays: 7 }) => ({
  PatchRules: [{ PatchFilterGroup: { PatchFilters: Object.entries(filters).map(([Key, Values]) => ({ Key, Values })) }, ...extra }],
});

describe('patch-baseline: baseline definitions', () => {
  const refused: Array<[string, PatchBaselineDefinition, RegExp]> = [
    ['an unknown operating system', { OperatingSystem: 'BEOS' }, /OperatingSystem BEOS/],
    ['a key the OS has no such property for (PRIORITY on RHEL)', { OperatingSystem: 'REDHAT_ENTERPRISE_LINUX', ApprovalRules: rules({ PRIORITY: ['Required'] }) }, /PRIORITY is not supported for operating system REDHAT_ENTERPRISE_LINUX/],
    ['MSRC_SEVERITY on Ubuntu', { OperatingSystem: 'UBUNTU', GlobalFilters: { PatchFilters: [{ Key: 'MSRC_SEVERITY', Values: ['Critical'] }] } }, /GlobalFilters: the patch filter key MSRC_SEVERITY/],
    ['a value the property does not have', { OperatingSystem: 'AMAZON_LINUX_2', ApprovalRules: rules({ SEVERITY: ['Moderate'] }) }, /Moderate is not a valid value of SEVERITY/],
    ['a repeated key', { OperatingSystem: 'WINDOWS', ApprovalRules: rules({ CLASSIFICATION: ['Updates'] }, { ApproveAfterDays: 1 }) , GlobalFilters: { PatchFilters: [{ Key: 'PRODUCT', Values: ['*'] }, { Key: 'PRODUCT', Values: ['x'] }] } }, /more than once/],
    ['an empty value list', { OperatingSystem: 'WINDOWS', ApprovalRules: rules({ CLASSIFICATION: [] }) }, /at least one value/],
    ['both approval dates', { OperatingSystem: 'WINDOWS', ApprovalRules: rules({ PRODUCT: ['*'] }, { ApproveAfterDays: 1, ApproveUntilDate: '2026-01-01' }) }, /not both/],
    ['neither approval date', { OperatingSystem: 'WINDOWS', ApprovalRules: rules({ PRODUCT: ['*'] }, {}) }, /is required/],
    ['ApproveAfterDays over 360', { OperatingSystem: 'WINDOWS', ApprovalRules: rules({ PRODUCT: ['*'] }, { ApproveAfterDays: 361 }) }, /0 to 360/],
    ['an impossible ApproveUntilDate', { OperatingSystem: 'WINDOWS', ApprovalRules: rules({ PRODUCT: ['*'] }, { ApproveUntilDate: '2026-02-30' }) }, /YYYY-MM-DD/],
    ['a waiting period on Debian', { OperatingSystem: 'DEBIAN', ApprovalRules: rules({ PRIORITY: ['Required'] }, { ApproveAfterDays: 7 }) }, /not supported for DEBIAN/],
    ['an unknown compliance level', { OperatingSystem: 'DEBIAN', ApprovalRules: rules({ PRIORITY: ['Required'] }, { ApproveAfterDays: 0, ComplianceLevel: 'SEVERE' }) }, /ComplianceLevel SEVERE/],
    ['an unknown RejectedPatchesAction', { OperatingSystem: 'DEBIAN', RejectedPatchesAction: 'DENY' }, /ALLOW_AS_DEPENDENCY or BLOCK/],
    ['a malformed rejected patch', { OperatingSystem: 'WINDOWS', RejectedPatches: ['openssl'] }, /RejectedPatches: "openssl"/],
  ];
  for (const [title, definition, message] of refused) {
    it(`refuses ${title} with ValidationException`, () => {
      assert.throws(() => validateBaselineDefinition(definition), (error: unknown) => {
        assert.ok(error instanceof PatchBaselineError);
        assert.equal(error.code, 'ValidationException');
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('a baseline that names no operating system is a WINDOWS baseline, as in SSM', () => {
    assert.equal(validateBaselineDefinition({ ApprovedPatches: ['KB4012212'] }), 'WINDOWS');
  });

  it('every predefined baseline passes validation, and each operating system has exactly one default', () => {
    for (const baseline of PREDEFINED_PATCH_BASELINES) {
      validateBaselineDefinition({ OperatingSystem: baseline.operatingSystem, GlobalFilters: { PatchFilters: baseline.globalFilters }, ApprovalRules: { PatchRules: baseline.approvalRules } });
      assert.match(baseline.baselineId, /^pb-[0-9a-f]{17}$/);
    }
    for (const os of PATCH_OPERATING_SYSTEMS) {
      assert.equal(PREDEFINED_PATCH_BASELINES.filter((baseline) => baseline.isDefault && baseline.operatingSystem === os).length, 1, os);
    }
    assert.equal(predefinedDefaultBaseline('UBUNTU').name, 'AWS-UbuntuDefaultPatchBaseline');
    assert.equal(predefinedDefaultBaseline('AMAZON_LINUX_2023').name, 'AWS-AmazonLinux2023DefaultPatchBaseline');
    assert.equal(new Set(PREDEFINED_PATCH_BASELINES.map((baseline) => baseline.baselineId)).size, PREDEFINED_PATCH_BASELINES.length);
  });

  it('lists patch property values per operating system (DescribePatchProperties)', () => {
    assert.deepEqual(patchPropertyValues('WINDOWS', 'MSRC_SEVERITY'), ['Critical', 'Important', 'Moderate', 'Low', 'Unspecified']);
    assert.ok(patchPropertyValues('AMAZON_LINUX_2023', 'SEVERITY')?.includes('None'));
    assert.equal(patchPropertyValues('UBUNTU', 'PRODUCT'), undefined);
  });

  it('names the operating system and product from os-release', () => {
    const cases: Array<[string, string | undefined, string | undefined]> = [
      ['ID=debian\nVERSION_ID="12"\n', 'DEBIAN', 'Debian12'],
      ['ID=ubuntu\nVERSION_ID="22.04"\n', 'UBUNTU', 'Ubuntu22.04'],
      ['ID="rhel"\nVERSION_ID="9.4"\n', 'REDHAT_ENTERPRISE_LINUX', 'RedhatEnterpriseLinux9.4'],
      ['ID="amzn"\nVERSION_ID="2023"\n', 'AMAZON_LINUX_2023', 'AmazonLinux2023'],
      ['ID=linuxmint\nID_LIKE="ubuntu debian"\nVERSION_ID=21\n', 'UBUNTU', 'Ubuntu21'],
      ['ID=arch\n', undefined, undefined],
    ];
    for (const [text, os, product] of cases) {
      const release = parseOsRelease(text);
      assert.equal(operatingSystemFromOsRelease(release), os, text);
      assert.equal(productFromOsRelease(release), product, text);
    }
  });
});
