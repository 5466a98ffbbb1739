import { formatArchitecture } from '../../rows.js';
import { applicationRow } from './application-row.js';
import type { InventoryRow } from '../../inventory-types.js';
import { firstLine } from './dpkg.js';

const FIELD = '\x1f';
const RECORD = '\x1e';

/** rpm's tags for SSM's AWS:Application fields; INSTALLTIME is seconds since the epoch. */
const TAGS = ['%{NAME}', '%{VENDOR}', '%{VERSION}', '%{RELEASE}', '%{EPOCH}', '%{INSTALLTIME}', '%{GROUP}', '%{ARCH}', '%{URL}', '%{SUMMARY}', '%{SOURCERPM}'];

export function rpmQueryArgs(): string[] {
  return ['-qa', '--queryformat', `${TAGS.join(FIELD)}${RECORD}`];
}

/** rpm prints `(none)` for a tag a package does not have. */
function value(field: string | undefined): string {
  return field === undefined || field === '(none)' ? '' : field;
}

/** `rpm -qa --queryformat` output as AWS:Application rows (SSM's fields, Release and Epoch included). */
export function parseRpmQuery(output: string): InventoryRow[] {
  const rows: InventoryRow[] = [];
  for (const record of output.split(RECORD)) {
    if (record.trim() === '') continue;
    const [name, vendor, version, release, epoch, installTime, group, arch, url, summary, sourceRpm] = record.replace(/^\n/, '').split(FIELD).map(value);
    if (!name) continue;
    const seconds = Number(installTime);
    rows.push(
      applicationRow({
        Name: name,
        Publisher: vendor,
        Version: version,
        Release: release,
        Epoch: epoch,
        InstalledTime: installTime && Number.isFinite(seconds) ? `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z` : '',
        ApplicationType: group,
        Architecture: formatArchitecture(arch ?? ''),
        URL: url,
        Summary: firstLine(summary ?? ''),
        PackageId: sourceRpm,
      }),
    );
  }
  return rows;
}
