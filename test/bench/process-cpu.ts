import { readFileSync } from 'node:fs';

/**
 * CPU time (ms) a process has used so far, from /proc (Linux); undefined elsewhere or when it is gone. With
 * `children`, that of its children it has reaped is added (an agent's package-manager runs, say).
 */
export function processCpuMs(pid: number | undefined, options: { children?: boolean } = {}): number | undefined {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The fields after the command name (which may hold spaces): utime, stime, cutime, cstime are the 14th to 17th
  // fields of the line, in clock ticks of 1/100 s.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const used = (options.children ? [11, 12, 13, 14] : [11, 12]).reduce((sum, index) => sum + Number(fields[index]), 0);
  return used * 10;
}
