/**
 * How SSM shows a plugin's output in ListCommandInvocations (CommandPlugin.Output, at most 2,500 characters):
 * SSM Agent's contracts.TruncateOutput with its MaximumPluginOutputSize of 2,400: stdout, then, if there is any
 * stderr, "\n----------ERROR-------\n" and stderr, each cut with a marker when both do not fit. Reproduced
 * here over characters (the agent counts bytes; for ASCII they agree).
 */
export const PLUGIN_OUTPUT_CAPACITY = 2400;
const TRUNCATED_OUTPUT = '\n---Output truncated---';
const TRUNCATED_ERROR = '\n---Error truncated----';
const ERROR_TITLE = '\n----------ERROR-------\n';

export function pluginOutput(stdout: string, stderr: string, capacity = PLUGIN_OUTPUT_CAPACITY): string {
  const outputSize = stdout.length;
  const errorSize = stderr.length;
  const errorTitle = errorSize > 0 ? ERROR_TITLE : '';
  const available = capacity - errorTitle.length;
  if (outputSize + errorSize < available) return `${stdout}${errorTitle}${stderr}`;
  const halfAvailable = Math.floor(available / 2); // Go's integer division
  if (outputSize > halfAvailable && errorSize > halfAvailable) {
    const size = available - TRUNCATED_ERROR.length - TRUNCATED_OUTPUT.length;
    const half = Math.floor(size / 2);
    return `${stdout.slice(0, half)}${TRUNCATED_OUTPUT}${errorTitle}${stderr.slice(0, half)}${TRUNCATED_ERROR}`;
  }
  if (outputSize < halfAvailable) {
    const size = available - TRUNCATED_ERROR.length;
    return `${stdout}${errorTitle}${stderr.slice(0, size - outputSize)}${TRUNCATED_ERROR}`;
  }
  const size = available - TRUNCATED_OUTPUT.length;
  return `${stdout.slice(0, size - errorSize)}${TRUNCATED_OUTPUT}${errorTitle}${stderr}`;
}

/** GetCommandInvocation's ExecutionElapsedTime: an ISO 8601 duration as SSM writes it, e.g. "PT0.541S". */
export function elapsedTime(startIso: string | undefined, endIso: string | undefined, now: Date): string {
  if (startIso === undefined) return '';
  const start = Date.parse(startIso);
  const end = endIso === undefined ? now.getTime() : Date.parse(endIso);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return '';
  const ms = Math.max(0, end - start);
  return `PT${Number((ms / 1000).toFixed(3))}S`;
}

/** ISO 8601 with milliseconds (SSM's "2019-02-14T19:26:26.439Z"); '' for a time not known. */
export function isoTime(value: string | undefined): string {
  if (value === undefined) return '';
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}
