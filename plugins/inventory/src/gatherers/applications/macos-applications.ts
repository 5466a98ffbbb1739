import type { InventoryRow } from '../../inventory-types.js';
import { applicationRow } from './application-row.js';

/**
 * The command as SSM's agent runs it (default detail level, which is what the recordings the tests use were made
 * with), in its JSON form (macOS 10.15 and later).
 */
export const SYSTEM_PROFILER_ARGS = ['SPApplicationsDataType', '-json'];

/** system_profiler's arch_kind: which CPUs the application's binary runs on. */
const ARCHITECTURES: Readonly<Record<string, string>> = {
  arch_arm: 'arm64',
  arch_arm_i64: 'universal',
  arch_i64: 'x86_64',
  arch_i32: 'i386',
  arch_ios: 'arm64',
};

const DEVELOPER_ID = /^Developer ID Application: (.+)$/;

/**
 * Who made the application. system_profiler names the first certificate of the signature, not the maker:
 * Apple's own applications (obtained_from `apple`) are signed "Software Signing" (or "macOS Software Signing"),
 * so they are Apple's; a Developer ID names its holder ("Microsoft Corporation (UBF8T346G9)"); Mac App Store
 * applications are all re-signed "Apple Mac OS Application Signing" whoever made them, and unsigned ones name
 * nobody, so for those the maker is unknown ("").
 */
function publisherOf(app: Record<string, unknown>): string {
  if (app.obtained_from === 'apple') return 'Apple Inc.';
  const signer = Array.isArray(app.signed_by) && typeof app.signed_by[0] === 'string' ? app.signed_by[0] : '';
  return DEVELOPER_ID.exec(signer)?.[1] ?? '';
}

/**
 * system_profiler lists every directory whose name ends in `.app` that Spotlight knows, bundles or not (a real
 * Mac lists browsers' site storage folders such as `https+++example.netlify.app`, and node_modules folders). Such
 * a folder has no executable (arch_other) and no Info.plist version: it is not an application. A script applet
 * or other bundle without a Mach-O executable is still arch_other, but has its bundle's version, and is kept.
 */
function isApplicationBundle(app: Record<string, unknown>): boolean {
  return !(app.arch_kind === 'arch_other' && !('version' in app));
}

/** `system_profiler SPApplicationsDataType -json` as AWS:Application rows (the applications in Finder's sense). */
export function parseSystemProfilerApplications(output: string): InventoryRow[] {
  const document = JSON.parse(output) as { SPApplicationsDataType?: Array<Record<string, unknown>> };
  const rows: InventoryRow[] = [];
  for (const app of document.SPApplicationsDataType ?? []) {
    // _name is the name Finder shows, in the system's language ("Rechner" for Calculator on a German Mac).
    const name = typeof app._name === 'string' ? app._name : '';
    if (name === '' || !isApplicationBundle(app)) continue;
    const modified = typeof app.lastModified === 'string' ? Date.parse(app.lastModified) : NaN;
    rows.push(
      applicationRow({
        Name: name,
        Publisher: publisherOf(app),
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
