/**
 * Why the runner aborted a step. The document runner aborts `context.signal` with one of these strings as the
 * reason (`controller.abort('timeout')`), and the action answers with the matching status: TimedOut or Cancelled.
 */
export type AbortReason = 'timeout' | 'cancel';

/**
 * Reads the runner's reason off an aborted signal. Anything that is not plainly a timeout counts as a
 * cancellation: a stop we cannot explain was asked for by someone, never by the clock. The DOMException that
 * `AbortSignal.timeout()` aborts with is a timeout too, so a runner built on it needs no translation.
 */
export function abortReasonOf(signal: AbortSignal): AbortReason {
  const reason: unknown = signal.reason;
  if (reason === 'timeout') return 'timeout';
  if (reason instanceof Error && reason.name === 'TimeoutError') return 'timeout';
  return 'cancel';
}
