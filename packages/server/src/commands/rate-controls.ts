/**
 * MaxConcurrency and MaxErrors: "10" or "10%". SSM's defaults are 50 and 0; its model limits the text with
 * patterns (concurrency 1.. or 1%..100%, errors 0.. or 0%..100%).
 *
 * SSM's documentation does not say how a percentage of the target count is rounded. Tender's choice:
 *   MaxConcurrency  rounded up, at least 1 ("10%" of 5 targets runs one at a time, never none);
 *   MaxErrors       rounded down ("10%" of 15 targets tolerates 1 error; "10%" of 50 tolerates 5, which
 *                   matches SSM's own example: "stops when the sixth error is received").
 */
export const DEFAULT_MAX_CONCURRENCY = '50';
export const DEFAULT_MAX_ERRORS = '0';

export const MAX_CONCURRENCY_PATTERN = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
export const MAX_ERRORS_PATTERN = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

function percentOf(text: string, targetCount: number): number | undefined {
  if (!text.endsWith('%')) return undefined;
  return (Number(text.slice(0, -1)) * targetCount) / 100;
}

/** How many invocations may be in flight at once. `text` already matched MAX_CONCURRENCY_PATTERN. */
export function concurrencyLimit(text: string, targetCount: number): number {
  const share = percentOf(text, targetCount);
  if (share === undefined) return Number(text);
  return Math.max(1, Math.ceil(share - 1e-9));
}

/** How many failed invocations are tolerated; one more stops dispatch. `text` already matched MAX_ERRORS_PATTERN. */
export function errorLimit(text: string, targetCount: number): number {
  const share = percentOf(text, targetCount);
  if (share === undefined) return Number(text);
  return Math.floor(share + 1e-9);
}
