/** Reads what apt-get and dpkg say when something goes wrong. */

/** apt runs dpkg on a pseudo-terminal, so its output has CRLF line ends and `\r` progress updates. */
export function normalizeOutput(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
}

/** Another process holds apt's or dpkg's lock. Nothing to recover: someone else is using the package manager. */
export function isLockError(output: string): boolean {
  return /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock the administration directory|Unable to lock directory/.test(output);
}

/** dpkg was interrupted earlier; `dpkg --configure -a` is the documented recovery. */
export function isInterrupted(output: string): boolean {
  return /dpkg was interrupted/.test(output);
}

/** The packages named after dpkg's "Errors were encountered while processing:". */
export function packagesWithErrors(output: string): string[] {
  const at = output.indexOf('Errors were encountered while processing:');
  if (at < 0) return [];
  const names: string[] = [];
  for (const line of output.slice(at).split('\n').slice(1)) {
    const match = /^ (\S+)$/.exec(line);
    if (!match) break;
    names.push(match[1]!.replace(/:[a-z0-9]+$/, ''));
  }
  return names;
}

/** The `E:` lines and dpkg's own `dpkg: error ...` lines, for a failure message. */
export function errorLines(output: string): string {
  const lines = output.split('\n').filter((line) => /^(E: |dpkg: error|dpkg: dependency problems)/.test(line) || /subprocess.*returned error exit status/.test(line));
  return (lines.length ? lines : output.trim().split('\n').slice(-3)).map((line) => line.trim()).join('; ').slice(0, 1000);
}

/** `Inst name [old] (new Suite:... [arch])` lines of `apt-get -s`: what a run would install or upgrade. */
export function simulatedInstalls(stdout: string): Array<{ name: string; version: string }> {
  const installs: Array<{ name: string; version: string }> = [];
  for (const line of stdout.split('\n')) {
    const match = /^Inst (\S+) (?:\[[^\]]*\] )?\((\S+) /.exec(line);
    if (match) installs.push({ name: match[1]!.replace(/:[a-z0-9]+$/, ''), version: match[2]! });
  }
  return installs;
}
