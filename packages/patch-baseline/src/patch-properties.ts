import type { PatchFilter, PatchOperatingSystem } from '@tender/plugin-api';
import { PatchBaselineError } from './errors.js';
import { patchFamily, type PatchFamily } from './operating-systems.js';

/**
 * The patch properties SSM knows per operating system: the filter keys an approval rule or a global filter may use,
 * and their values (what DescribePatchProperties lists). PRODUCT values are open: a provider reports the host's
 * product, and `*` or a product name matches it.
 */
const RPM_CLASSIFICATIONS = ['Security', 'Bugfix', 'Enhancement', 'Recommended', 'Newpackage'];
const RHEL_SEVERITIES = ['Critical', 'Important', 'Moderate', 'Low'];
const AMAZON_SEVERITIES = ['Critical', 'Important', 'Medium', 'Low'];
export const APT_PRIORITIES = ['Required', 'Important', 'Standard', 'Optional', 'Extra'];
export const APT_SECTIONS = [
  'admin', 'cli-mono', 'comm', 'database', 'debug', 'devel', 'doc', 'editors', 'education', 'electronics', 'embedded',
  'fonts', 'games', 'gnome', 'gnu-r', 'gnustep', 'golang', 'graphics', 'hamradio', 'haskell', 'httpd', 'interpreters',
  'introspection', 'java', 'javascript', 'kde', 'kernel', 'libdevel', 'libs', 'lisp', 'localization', 'mail', 'math',
  'metapackages', 'misc', 'net', 'news', 'ocaml', 'oldlibs', 'otherosfs', 'perl', 'php', 'python', 'ruby', 'rust',
  'science', 'shells', 'sound', 'tasks', 'tex', 'text', 'utils', 'vcs', 'video', 'web', 'x11', 'xfce', 'zope',
];
export const WINDOWS_CLASSIFICATIONS = [
  'CriticalUpdates', 'DefinitionUpdates', 'Drivers', 'FeaturePacks', 'SecurityUpdates', 'ServicePacks', 'Tools',
  'UpdateRollups', 'Updates', 'Upgrades',
];
export const MSRC_SEVERITIES = ['Critical', 'Important', 'Moderate', 'Low', 'Unspecified'];

/** Allowed values per key (`undefined`: open-ended, any value). */
type PropertyTable = Record<string, string[] | undefined>;

function propertyTable(operatingSystem: PatchOperatingSystem): PropertyTable {
  const family: PatchFamily = patchFamily(operatingSystem);
  switch (family) {
    case 'windows':
      return { PATCH_SET: ['OS', 'APPLICATION'], PRODUCT: undefined, PRODUCT_FAMILY: undefined, CLASSIFICATION: WINDOWS_CLASSIFICATIONS, MSRC_SEVERITY: MSRC_SEVERITIES };
    case 'apt':
      return { PRODUCT: undefined, PRIORITY: APT_PRIORITIES, SECTION: APT_SECTIONS };
    case 'suse':
      return { PRODUCT: undefined, CLASSIFICATION: ['Security', 'Recommended', 'Optional', 'Feature', 'Document', 'Yast'], SEVERITY: RHEL_SEVERITIES };
    case 'macos':
      return { PRODUCT: undefined, CLASSIFICATION: ['Security', 'Bugfix', 'Enhancement', 'Recommended', 'Newpackage'] };
    case 'rpm': {
      const amazon = operatingSystem.startsWith('AMAZON_LINUX');
      const severities = amazon ? AMAZON_SEVERITIES : RHEL_SEVERITIES;
      return { PRODUCT: undefined, CLASSIFICATION: RPM_CLASSIFICATIONS, SEVERITY: operatingSystem === 'AMAZON_LINUX_2023' ? [...severities, 'None'] : severities };
    }
  }
}

/** The filter keys an approval rule or global filter may use for this operating system. */
export function patchFilterKeys(operatingSystem: PatchOperatingSystem): string[] {
  return Object.keys(propertyTable(operatingSystem));
}

/** The known values of one property (DescribePatchProperties); undefined for open-ended ones such as PRODUCT. */
export function patchPropertyValues(operatingSystem: PatchOperatingSystem, key: string): string[] | undefined {
  return propertyTable(operatingSystem)[key];
}

/**
 * Checks a baseline's filters against its operating system, as CreatePatchBaseline does: a key the OS has no such
 * property for, a repeated key, an empty value list, or a value that is not one of the property's values.
 */
export function validatePatchFilters(operatingSystem: PatchOperatingSystem, filters: PatchFilter[], where: string): void {
  const table = propertyTable(operatingSystem);
  const seen = new Set<string>();
  for (const filter of filters) {
    if (!(filter.Key in table)) {
      throw new PatchBaselineError(`${where}: the patch filter key ${filter.Key} is not supported for operating system ${operatingSystem} (supported: ${Object.keys(table).join(', ')})`);
    }
    if (seen.has(filter.Key)) throw new PatchBaselineError(`${where}: the patch filter key ${filter.Key} appears more than once`);
    seen.add(filter.Key);
    if (!Array.isArray(filter.Values) || filter.Values.length === 0) {
      throw new PatchBaselineError(`${where}: the patch filter ${filter.Key} needs at least one value`);
    }
    const allowed = table[filter.Key];
    for (const value of filter.Values) {
      if (typeof value !== 'string' || value.length === 0 || value.length > 64) {
        throw new PatchBaselineError(`${where}: the patch filter ${filter.Key} has an empty or over-long value`);
      }
      if (allowed && value !== '*' && !allowed.some((known) => known.toLowerCase() === value.toLowerCase())) {
        throw new PatchBaselineError(`${where}: ${value} is not a valid value of ${filter.Key} for operating system ${operatingSystem} (valid: ${allowed.join(', ')})`);
      }
    }
  }
}
