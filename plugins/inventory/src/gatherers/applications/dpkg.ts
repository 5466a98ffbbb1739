import { formatArchitecture } from '../../rows.js';
import { applicationRow } from './application-row.js';
import type { InventoryRow } from '../../inventory-types.js';

/** Between fields and after each package: control characters that never occur in dpkg's fields. */
const FIELD = '\x1f';
const RECORD = '\x1e';

/** SSM keeps the first line of a package's description, at most this long. */
export const MAX_SUMMARY_LENGTH = 100;

/**
 * The dpkg-query arguments: every package dpkg knows (`-W` lists all but purged ones, as SSM's agent does), one
 * record per package. `adminDir` points dpkg at another database (an isolated root's /var/lib/dpkg).
 */
export function dpkgQueryArgs(adminDir?: string): string[] {
  const fields = ['${Package}', '${Version}', '${Architecture}', '${Maintainer}', '${Section}', '${Homepage}', '${binary:Summary}'];
  return [...(adminDir ? [`--admindir=${adminDir}`] : []), '-W', `-f=${fields.join(FIELD)}${RECORD}`];
}

/** dpkg-query's output as AWS:Application rows (SSM's fields: Publisher is the maintainer, PackageId the .deb name). */
export function parseDpkgQuery(output: string): InventoryRow[] {
  const rows: InventoryRow[] = [];
  for (const record of output.split(RECORD)) {
    if (record.trim() === '') continue;
    const [name = '', version = '', architecture = '', maintainer = '', section = '', homepage = '', summary = ''] = record.replace(/^\n/, '').split(FIELD);
    if (name === '') continue;
    rows.push(
      applicationRow({
        Name: name,
        Publisher: maintainer,
        Version: version,
        ApplicationType: section,
        Architecture: formatArchitecture(architecture),
        URL: homepage,
        Summary: firstLine(summary),
        PackageId: `${name}_${version}_${architecture}.deb`,
      }),
    );
  }
  return rows;
}

export function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/\r/g, '').trim().slice(0, MAX_SUMMARY_LENGTH);
}
