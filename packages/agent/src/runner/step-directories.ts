/**
 * Folder names for a document's steps under `runs/<commandId>/`. Schema 2.x step names are already safe
 * (letters, digits, `_`, `.`, `-`); schema 1.2 steps are named after their plugin (`aws:runShellScript`, or an
 * `id` such as `0.aws:runShellScript`), and `:` is not allowed in Windows file names. Anything else becomes
 * `_`, leading dots are dropped (so never `.` or `..`), and a name already taken gets the step's number appended. Deterministic, so a
 * step resumed after a reboot writes to the same folder.
 */
export function stepDirectoryNames(stepNames: readonly string[]): string[] {
  const taken = new Set<string>();
  return stepNames.map((name, index) => {
    let safe = name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '');
    if (safe === '') safe = 'step';
    while (taken.has(safe.toLowerCase())) safe = `${safe}_${index + 1}`;
    // Case-insensitive file systems (Windows, macOS) would merge `Install` and `install`.
    taken.add(safe.toLowerCase());
    return safe;
  });
}
