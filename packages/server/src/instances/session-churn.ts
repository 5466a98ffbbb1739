/**
 * Notices an instance whose connection keeps being replaced: each agent connection starts a session (a hello with a
 * new session id), and a healthy agent starts one per reconnection, minutes or days apart. Many in a short window
 * mean two hosts running with one identity (a cloned disk or image: each takes the other's broker session over) or a
 * connection that breaks as soon as it is made. The agents log it on their side; this says it where the operator
 * looks, the control plane's log and metrics.
 */
export interface SessionChurnOptions {
  now: () => Date;
  /** Sessions within `windowMs` that count as churn. */
  threshold?: number;
  windowMs?: number;
  /** One warning per instance at most this often. */
  quietMs?: number;
}

export const SESSION_CHURN_THRESHOLD = 5;
export const SESSION_CHURN_WINDOW_MS = 2 * 60_000;
const SESSION_CHURN_QUIET_MS = 10 * 60_000;

export class SessionChurn {
  private readonly starts = new Map<string, number[]>();
  private readonly warnedAt = new Map<string, number>();

  constructor(private readonly options: SessionChurnOptions) {}

  /**
   * A new session of this instance began. Returns the window's threshold when that many began within it and a
   * warning is due (at most once per quiet period), else undefined.
   */
  sessionStarted(instanceId: string): number | undefined {
    const now = this.options.now().getTime();
    const windowMs = this.options.windowMs ?? SESSION_CHURN_WINDOW_MS;
    const threshold = this.options.threshold ?? SESSION_CHURN_THRESHOLD;
    // The last `threshold` starts are all it needs: a churning instance's list does not grow.
    const recent = [...(this.starts.get(instanceId) ?? []).filter((at) => at > now - windowMs), now].slice(-threshold);
    this.starts.set(instanceId, recent);
    if (recent.length < threshold) return undefined;
    const warned = this.warnedAt.get(instanceId);
    if (warned !== undefined && now - warned < (this.options.quietMs ?? SESSION_CHURN_QUIET_MS)) return undefined;
    this.warnedAt.set(instanceId, now);
    return recent.length;
  }

  /** Forget a deregistered instance. */
  forget(instanceId: string): void {
    this.starts.delete(instanceId);
    this.warnedAt.delete(instanceId);
  }
}
