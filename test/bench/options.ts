/** A bench's command-line options: `npm run bench -- <name> --<option> <value>`. */

/** The value after `--<name>`, or `fallback` when the option (or its value) is not given. */
export function textOption(args: readonly string[], name: string): string | undefined;
export function textOption(args: readonly string[], name: string, fallback: string): string;
export function textOption(args: readonly string[], name: string, fallback?: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback;
}

/** `--<name> <number>`, or `fallback` when not given. */
export function numberOption(args: readonly string[], name: string, fallback: number): number {
  const text = textOption(args, name);
  return text === undefined ? fallback : Number(text);
}
