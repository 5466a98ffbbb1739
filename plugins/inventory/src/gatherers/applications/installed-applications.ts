import { runIfInstalled } from '../../command-runner.js';
import type { GatherEnvironment, InventoryRow } from '../../inventory-types.js';
import { runPowerShellJson } from '../../powershell.js';
import { sortRows } from '../../rows.js';
import { APPLICATION_SORT_KEYS } from './application-row.js';
import { dpkgQueryArgs, parseDpkgQuery } from './dpkg.js';
import { SYSTEM_PROFILER_ARGS, parseSystemProfilerApplications } from './macos-applications.js';
import { parseRpmQuery, rpmQueryArgs } from './rpm.js';
import { WINDOWS_UNINSTALL_SCRIPT, parseWindowsUninstall } from './windows-uninstall.js';

/**
 * Every installed application the host's package databases know, sorted: dpkg and rpm on Linux (both, where a
 * host has both, as SSM's agent does), the Uninstall registry keys on Windows, system_profiler on macOS. Shared
 * by AWS:Application and AWS:AWSComponent, and read once per gather (the environment caches it).
 */
export async function installedApplications(environment: GatherEnvironment): Promise<InventoryRow[]> {
  const { run, signal } = environment;
  let rows: InventoryRow[];
  switch (environment.platform) {
    case 'win32':
      rows = parseWindowsUninstall(await runPowerShellJson(run, WINDOWS_UNINSTALL_SCRIPT, signal));
      break;
    case 'darwin':
      rows = parseSystemProfilerApplications(await run('system_profiler', SYSTEM_PROFILER_ARGS, { signal }));
      break;
    default: {
      const dpkg = await runIfInstalled(run, 'dpkg-query', dpkgQueryArgs(environment.dpkgAdminDir), signal);
      const rpm = await runIfInstalled(run, 'rpm', rpmQueryArgs(), signal);
      if (dpkg === undefined && rpm === undefined) throw new Error('no package manager found: neither dpkg-query nor rpm is installed');
      rows = [...(dpkg === undefined ? [] : parseDpkgQuery(dpkg)), ...(rpm === undefined ? [] : parseRpmQuery(rpm))];
    }
  }
  return sortRows(rows, APPLICATION_SORT_KEYS);
}
