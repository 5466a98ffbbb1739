/**
 * State Manager over the wire, on the agent's side:
 *   - `associations` (down): validated whole (association-validation.ts), stored, acknowledged with
 *     `associations-ack`; a set that fails validation is refused (logged, and a signed `rejection` goes to the
 *     control plane's audit trail), not acknowledged, and the held set keeps running;
 *   - `association-run-now` (down): StartAssociationsOnce;
 *   - `association-status` (up): the spooled reports, oldest first, in batches, after every (re)connect, when a run
 *     ends, and every RESEND_UNACKNOWLEDGED_MS while any is unacknowledged;
 *   - `association-status-ack` (down): those reports leave the spool.
 */
import type { Logger } from '@tender/plugin-api';
import type { AssociationRunNowBody, AssociationRunReport, AssociationsAckBody, AssociationStatusAckBody, AssociationStatusBody, Message } from '@tender/protocol';
import { systemClock, type Clock } from '../runner/index.js';
import type { Agent } from '../runtime/agent.js';
import type { AssociationScheduler } from './association-scheduler.js';
import { InvalidAssociationsError, parseAssociationsBody } from './association-validation.js';

/** How long sent reports may wait for their acknowledgement before they go again (the control plane dedupes by runId). */
export const RESEND_UNACKNOWLEDGED_MS = 30_000;
/**
 * How often to look for reports due again. Looking only every RESEND_UNACKNOWLEDGED_MS let a report sent just after
 * a tick (at a reconnection) wait for the second tick: up to twice the delay. This bounds the lateness to a sixth.
 */
export const RESEND_CHECK_MS = RESEND_UNACKNOWLEDGED_MS / 6;
/** Reports per `association-status`; each carries its steps' output previews (at most 32,000 characters a step). */
const REPORTS_PER_MESSAGE = 10;
/** The channel's time: monotonic, so that a wall clock set back does not hold resends back by as much. */
const MONOTONIC_CLOCK: Clock = { now: () => performance.now(), setTimer: systemClock.setTimer };

export class AssociationChannel {
  private cancelResendCheck: () => void = () => undefined;
  private sending: Promise<void> | undefined;
  private sendAgain = false;
  /** When each unacknowledged report last went out (the clock's now()); cleared on reconnect, so all go again. */
  private readonly sentAt = new Map<string, number>();

  constructor(
    private readonly agent: Agent,
    private readonly scheduler: AssociationScheduler,
    private readonly logger: Logger,
    /** Injected by tests; monotonic by default. Its timers must not keep the process alive (systemClock's do not). */
    private readonly clock: Clock = MONOTONIC_CLOCK,
  ) {
    agent.on('associations', (message) => this.onAssociations(message));
    agent.on('association-run-now', (message) => this.onRunNow(message));
    agent.on('association-status-ack', async (message) => {
      const runIds = (message.body as Partial<AssociationStatusAckBody> | null)?.runIds;
      if (!Array.isArray(runIds)) return this.logger.warn('association-status-ack without runIds; ignored', { messageId: message.id });
      await this.scheduler.acknowledge(runIds);
      for (const runId of runIds) this.sentAt.delete(String(runId));
    });
    agent.onConnected(() => {
      this.sentAt.clear();
      this.sendReports();
    });
    const check = (): void => {
      if (this.scheduler.spool.size > 0) this.sendReports();
      this.cancelResendCheck = this.clock.setTimer(check, RESEND_CHECK_MS);
    };
    this.cancelResendCheck = this.clock.setTimer(check, RESEND_CHECK_MS);
  }

  stop(): void {
    this.cancelResendCheck();
  }

  /** A run ended: its report (already spooled) goes up now if the agent is connected. */
  reportReady(_report: AssociationRunReport): void {
    this.sendReports();
  }

  private async onAssociations(message: Message): Promise<void> {
    let body;
    try {
      body = parseAssociationsBody(message.body);
    } catch (error) {
      if (!(error instanceof InvalidAssociationsError)) throw error;
      this.logger.error('refused an associations set; the previous set is kept', { messageId: message.id, problems: error.problems, heldRevision: this.scheduler.revision });
      this.agent.reportRejection('malformed', `associations: ${error.message}`.slice(0, 2000), message.id);
      return;
    }
    const outcome = this.scheduler.applySet(body);
    if (!outcome.stored) this.logger.info(outcome.reason === 'older' ? 'ignored an associations set older than the one held' : 'associations set already held', { revision: body.revision, held: outcome.held });
    // Acknowledged in every case: an older or repeated set needs no resending either.
    await this.agent.send('associations-ack', { revision: body.revision } satisfies AssociationsAckBody);
  }

  private async onRunNow(message: Message): Promise<void> {
    const body = message.body as Partial<AssociationRunNowBody> | null;
    if (typeof body?.associationId !== 'string' || typeof body.executionId !== 'string' || !body.executionId) {
      this.logger.error('refused association-run-now: associationId and executionId must be strings', { messageId: message.id });
      this.agent.reportRejection('malformed', 'association-run-now: associationId and executionId must be strings', message.id);
      return;
    }
    const outcome = this.scheduler.runNow(body.associationId, body.executionId);
    this.logger.info('association run-now requested', { associationId: body.associationId, executionId: body.executionId, outcome });
  }

  /**
   * Sends the spooled reports not sent in the last RESEND_UNACKNOWLEDGED_MS (one pass at a time; a call during a
   * pass makes another follow). Nothing while disconnected: the reconnection starts a pass.
   */
  private sendReports(): void {
    if (!this.agent.connected) return;
    if (this.sending) {
      this.sendAgain = true;
      return;
    }
    this.sending = this.sendPass()
      .catch((error: unknown) => this.logger.debug('association reports not sent yet; they stay spooled', { err: (error as Error).message }))
      .finally(() => {
        this.sending = undefined;
        if (this.sendAgain) {
          this.sendAgain = false;
          this.sendReports();
        }
      });
  }

  private async sendPass(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      // Read again before each batch: acknowledgements arrive while the previous batch was going out.
      const batch = this.scheduler.spool.pending().filter((report) => now - (this.sentAt.get(report.runId) ?? -Infinity) >= RESEND_UNACKNOWLEDGED_MS).slice(0, REPORTS_PER_MESSAGE);
      if (batch.length === 0 || !this.agent.connected) return;
      for (const report of batch) this.sentAt.set(report.runId, now);
      await this.agent.send('association-status', { reports: batch } satisfies AssociationStatusBody);
      this.logger.info('association reports sent', { runIds: batch.map((r) => r.runId) });
    }
  }
}
