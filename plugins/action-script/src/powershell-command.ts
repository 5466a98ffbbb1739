import path from 'node:path';

/** The interpreter command for a PowerShell script, or undefined when there is none on this host. */
export interface PowerShellCommand {
  command: string;
  args: string[];
}

/**
 * How a .ps1 is run. Windows: Windows PowerShell, which every Windows has, by its full path under %SystemRoot%
 * (as SSM does, so a PATH entry cannot stand in for it), with -ExecutionPolicy Bypass so that the host's policy
 * does not refuse an unsigned script. Elsewhere: `pwsh` (PowerShell 7) if it was found; execution policy does
 * not exist there, so that flag is left out. A pure function, so the Windows form can be tested anywhere.
 */
export function powerShellCommand(
  platform: NodeJS.Platform,
  scriptPath: string,
  found: { systemRoot?: string | undefined; pwsh?: string | undefined },
): PowerShellCommand | undefined {
  if (platform === 'win32') {
    const command = found.systemRoot
      ? path.win32.join(found.systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe')
      : 'powershell.exe';
    return { command, args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', scriptPath] };
  }
  if (!found.pwsh) return undefined;
  return { command: found.pwsh, args: ['-NoProfile', '-NonInteractive', '-File', scriptPath] };
}

export const PWSH_NOT_FOUND = 'aws:runPowerShellScript needs PowerShell: pwsh was not found on PATH';
