import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';

interface ParameterEvent {
  Id: string;
  /** Epoch seconds. */
  Time: number;
  Type: string;
  Name: string;
  Version: number;
  Detail: string;
}

export default class ParamEvents extends ApiCommand {
  static override summary = 'Show what parameter policies raised: expirations and notifications (Tender.GetParameterEvents).';
  static override description =
    'Events are Expired (the parameter was deleted at its Expiration), ExpirationNotification and NoChangeNotification. --follow keeps polling and prints new events as they come (one JSON object per line with --json) until interrupted. --after CURSOR starts after an event id or a cursor printed before.';
  static override examples = ['<%= config.bin %> param events', '<%= config.bin %> param events --follow', '<%= config.bin %> param events --follow --json --after 0000000000000042'];
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'keep polling for new events', default: false }),
    after: Flags.string({ description: 'only events after this cursor or event id' }),
    limit: Flags.integer({ description: 'at most this many events per call', min: 1, max: 1000, default: 100 }),
    'interval-ms': Flags.integer({ description: 'with --follow: how often to poll', min: 100, default: 1000 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ParamEvents);
    await this.connect(flags);
    let cursor = flags.after;
    if (!flags.follow) {
      const result = await this.read(cursor, flags.limit);
      if (flags.json) return this.printJson(result);
      for (const event of result.Events) this.log(line(event));
      if (result.Events.length === 0) process.stderr.write('no events\n');
      return;
    }
    let stopped = false;
    const stop = () => (stopped = true);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    while (!stopped) {
      const result = await this.read(cursor, flags.limit);
      for (const event of result.Events) this.log(flags.json ? JSON.stringify(event) : line(event));
      cursor = result.Cursor || cursor;
      // A full page means more are waiting: read on at once.
      if (result.Events.length < flags.limit) await new Promise((resolve) => setTimeout(resolve, flags['interval-ms']));
    }
  }

  private read(after: string | undefined, max: number): Promise<{ Events: ParameterEvent[]; Cursor: string }> {
    return this.tender('GetParameterEvents', { ...(after ? { After: after } : {}), MaxResults: max });
  }
}

function line(event: ParameterEvent): string {
  return `${event.Id}  ${new Date(event.Time * 1000).toISOString()}  ${event.Type.padEnd(22)}  ${event.Name} v${event.Version}  ${event.Detail}`;
}
