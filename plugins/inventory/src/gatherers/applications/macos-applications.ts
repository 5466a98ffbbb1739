import type { InventoryRow } from '../../inventory-types.js';
import { applicationRow } from './application-row.js';

export const SYSTEM_PROFILER_ARGS = ['SPApplicationsDataType', '-json', '-detailLevel', 'mini'];

/** system_profiler's arch_kind: which CPUs the application's binary runs on. */
const ARCHITECTURES: Readonly<Record<string, string>> = {
  arch_arm: 'arm64',
  arch_arm_i64: 'universal',
  arch_i64: 'x86_64',
  arch_i32: 'i386',
  arch_ios: 'arm64',
};

/** `system_profiler SPApplicationsDataType -json` as AWS:Application rows (the applications in Finder's sense). */
export function parseSystemProfilerApplications(output: string): InventoryRow[] {
  const document = JSON.parse(output) as { SPApplicationsDataType?: Array<Record<string, unknown>> };
  const rows: InventoryRow[] = [];
  for (const app of document.SPApplicationsDataType ?? []) {
    const name = typeof app._name === 'string' ? app._name : '';
    if (name === '') continue;
    const signedBy = Array.isArray(app.signed_by) ? app.signed_by : [];
    const publisher = typeof signedBy[0] === 'string' ? signedBy[0].replace(/^Developer ID Application: /, '') : '';
    const modified = typeof app.lastModified === 'string' ? Date.parse(app.lastModified) : NaN;
    rows.push(
      applicationRow({
        Name: name,
        Publisher: publisher,
        Version: typeof app.version === 'string' ? app.version : '',
        InstalledTime: Number.isFinite(modified) ? `${new Date(modified).toISOString().slice(0, 19)}Z` : '',
        ApplicationType: typeof app.obtained_from === 'string' ? app.obtained_from : '',
        Architecture: ARCHITECTURES[String(app.arch_kind)] ?? '',
        PackageId: typeof app.path === 'string' ? app.path : '',
      }),
    );
  }
  return rows;
}
