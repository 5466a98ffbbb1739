import type { Logger } from '@tender/plugin-api';
import type { CancelBody, CommandAckBody, CommandBody, CommandResultBody, Message, ResultAckBody, StepResultBody } from '@tender/protocol';
import type { Command, CommandProgress, CommandResult, CommandRunner, StepResult } from '../runner/index.js';
import type { Agent } from '../runtime/agent.js';
import { previewIsWhole, uploadOutput, type UploadTarget } from './output-uploader.js';

/** How long a delivered result may wait for its `result-ack` before it is sent again (the control plane dedupes). */
const RESEND_UNACKNOWLEDGED_MS = 30_000;
/**
 * How long the acknowledgement of a new command is held back once the command is on disk. A command whose result is
 * ready by then needs none (the result says everything, and the control plane takes it as the acknowledgement too):
 * a message fewer to sign and send, and no control plane and broker busy with it just as the step's process wants the
 * CPU. Anything slower is shown InProgress that much later, which nobody can tell; the control plane resends an
 * unacknowledged command only after seconds.
 */
export const DEFAULT_ACK_HOLD_MS = 20;

/** A step result as the wire carries it (command-status, command-result, association-status). */
export function stepBody(step: StepResult): StepResultBody {
  return {
    name: step.name,
    action: step.action,
    status: step.status,
    responseCode: step.responseCode,
    ...(step.statusDetails ? { statusDetails: step.statusDetails } : {}),
    ...(step.startedAt ? { startedAt: step.startedAt } : {}),
    ...(step.endedAt ? { endedAt: step.endedAt } : {}),
    stdout: { preview: step.stdout.preview, bytes: step.stdout.bytes },
    stderr: { preview: step.stderr.preview, bytes: step.stderr.bytes },
  };
}

function commandOf(body: CommandBody): Command {
  return {
    commandId: body.commandId,
    documentName: body.documentName,
    documentVersion: body.documentVersion,
    document: body.document as never,
    parameters: body.parameters ?? {},
    ...(body.secrets !== undefined ? { secrets: body.secrets } : {}),
    ...(body.executionTimeoutSeconds !== undefined ? { executionTimeoutSeconds: body.executionTimeoutSeconds } : {}),
    ...(body.deliverBy !== undefined ? { deliverBy: body.deliverBy } : {}),
    ...(body.comment !== undefined ? { comment: body.comment } : {}),
    receivedAt: new Date().toISOString(),
  };
}

/**
 * Run Command over the wire, on the agent's side: a `command` is persisted by the runner before it is
 * acknowledged; results (full outputs uploaded first) go up and are resent after every reconnect until the
 * control plane acknowledges them; `cancel` stops a queued or running command.
 */
export class CommandChannel {
  private readonly delivering = new Set<string>();
  private readonly resendTimer: NodeJS.Timeout;
  /** Cancels that arrived before their command (messages can overtake each other after a reconnect). */
  private readonly cancelledEarly = new Set<string>();
  /**
   * New commands whose acknowledgement has not gone yet, with the progress it will carry: from their arrival while
   * the runner accepts them (one that starts at once reports its first step InProgress before it may be
   * acknowledged), then, once on disk, for DEFAULT_ACK_HOLD_MS more (`timer`). Progress meanwhile goes with the
   * acknowledgement instead of a `command-status` of its own (one message, one store write on the control plane,
   * less for either side to do while the step's process runs), and a result that comes first answers for both.
   */
  private readonly unacknowledged = new Map<string, { steps?: StepResultBody[]; timer?: NodeJS.Timeout }>();

  constructor(
    private readonly agent: Agent,
    private readonly runner: CommandRunner,
    private readonly upload: UploadTarget,
    private readonly logger: Logger,
    private readonly ackHoldMs = DEFAULT_ACK_HOLD_MS,
  ) {
    agent.on('command', (message) => this.onCommand(message));
    agent.on('cancel', async (message) => {
      const { commandId } = message.body as CancelBody;
      const outcome = await this.runner.cancel(String(commandId));
      this.logger.info('cancel requested', { commandId, outcome });
      if (outcome === 'unknown') {
        // Never seen here: answer Cancelled now, so the invocation does not wait for its expiry, and refuse the
        // command if it turns up later.
        this.cancelledEarly.add(String(commandId));
        await this.sendCancelled(String(commandId));
      }
    });
    agent.on('result-ack', async (message) => {
      await this.runner.ackResult(String((message.body as ResultAckBody).commandId));
    });
    agent.onConnected(() => void this.redeliver());
    // A result whose acknowledgement never came (lost by an overloaded broker, say) goes again, until acknowledged.
    this.resendTimer = setInterval(() => void this.redeliver().catch(() => undefined), RESEND_UNACKNOWLEDGED_MS);
    this.resendTimer.unref();
  }

  stop(): void {
    clearInterval(this.resendTimer);
    // Unsent acknowledgements are dropped: their commands' results follow, or the control plane sends them again
    // and hears 'duplicate'.
    for (const { timer } of this.unacknowledged.values()) clearTimeout(timer);
    this.unacknowledged.clear();
  }

  private async sendCancelled(commandId: string): Promise<void> {
    await this.agent.send('command-result', { commandId, status: 'Cancelled', statusDetails: 'Cancelled', responseCode: -1, endedAt: new Date().toISOString(), steps: [] } satisfies CommandResultBody);
  }

  private async onCommand(message: Message): Promise<void> {
    const body = message.body as CommandBody;
    if (this.cancelledEarly.has(body.commandId)) {
      await this.agent.send('command-ack', { commandId: body.commandId, accepted: 'duplicate' });
      await this.sendCancelled(body.commandId);
      return;
    }
    // A second delivery of a command still being accepted leaves the first to carry its progress.
    const first = !this.unacknowledged.has(body.commandId);
    if (first) this.unacknowledged.set(body.commandId, {});
    let accepted: Awaited<ReturnType<CommandRunner['accept']>>;
    try {
      accepted = await this.runner.accept(commandOf(body));
    } catch (error) {
      if (first) this.unacknowledged.delete(body.commandId);
      throw error;
    }
    // Acknowledged only now that the command is on disk (a crash before this line means the control plane resends),
    // and a new one a moment later still. No entry left: its result has gone already and answered for it.
    if (first && accepted === 'accepted') {
      const pending = this.unacknowledged.get(body.commandId);
      if (pending) pending.timer = setTimeout(() => void this.acknowledge(body.commandId), this.ackHoldMs);
      return;
    }
    if (first) this.unacknowledged.delete(body.commandId);
    await this.agent.send('command-ack', { commandId: body.commandId, accepted: accepted === 'accepted' ? 'new' : 'duplicate' } satisfies CommandAckBody);
  }

  /** Forgets a command's unsent acknowledgement (and its timer), and returns what it would have carried. */
  private takeUnacknowledged(commandId: string): { steps?: StepResultBody[] } | undefined {
    const pending = this.unacknowledged.get(commandId);
    clearTimeout(pending?.timer);
    this.unacknowledged.delete(commandId);
    return pending;
  }

  /** Sends a new command's acknowledgement now, with the latest progress, unless it has gone already. */
  private async acknowledge(commandId: string): Promise<void> {
    const pending = this.takeUnacknowledged(commandId);
    if (!pending) return;
    await this.agent.send('command-ack', { commandId, accepted: 'new', ...(pending.steps ? { steps: pending.steps } : {}) } satisfies CommandAckBody).catch(() => undefined);
  }

  /** Called by the runner for each step change; best effort (the final result is what must arrive). */
  progress(progress: CommandProgress): void {
    const steps = progress.steps.map(stepBody);
    const pending = this.unacknowledged.get(progress.commandId);
    if (pending && !progress.rebooting) {
      pending.steps = steps; // goes with the acknowledgement
      return;
    }
    // Before a reboot the control plane must hear both, in order: the acknowledgement, then that the host reboots.
    const acknowledged = pending ? this.acknowledge(progress.commandId) : Promise.resolve();
    void acknowledged.then(() => this.agent.send('command-status', { commandId: progress.commandId, status: 'InProgress', steps })).catch(() => undefined);
  }

  /** Called by the runner when a command ends; the spool keeps it until acknowledged. */
  result(result: CommandResult): void {
    void this.deliver(result);
  }

  private async deliver(result: CommandResult): Promise<void> {
    if (this.delivering.has(result.commandId)) return;
    this.delivering.add(result.commandId);
    try {
      for (const step of result.steps) {
        if (step.stdout.bytes > 0 && !previewIsWhole(step.stdout)) await uploadOutput(this.upload, result.commandId, step.name, 'stdout', step.stdout.file);
        if (step.stderr.bytes > 0 && !previewIsWhole(step.stderr)) await uploadOutput(this.upload, result.commandId, step.name, 'stderr', step.stderr.file);
      }
      this.takeUnacknowledged(result.commandId); // the result answers for it (the control plane takes it as one)
      const body: CommandResultBody = {
        commandId: result.commandId,
        status: result.status,
        statusDetails: result.statusDetails,
        responseCode: result.responseCode,
        ...(result.startedAt ? { startedAt: result.startedAt } : {}),
        endedAt: result.endedAt,
        steps: result.steps.map(stepBody),
      };
      await this.agent.send('command-result', body);
    } catch (error) {
      this.logger.warn('result not delivered yet; it stays spooled and is resent after the next reconnect', { commandId: result.commandId, err: (error as Error).message });
    } finally {
      this.delivering.delete(result.commandId);
    }
  }

  /** After (re)connecting: every result the control plane has not acknowledged goes again. */
  private async redeliver(): Promise<void> {
    for (const result of await this.runner.pendingResults()) await this.deliver(result);
  }
}
