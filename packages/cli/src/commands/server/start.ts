import { Command } from '@oclif/core';
import { startControlPlane } from '@tender/server';
import { EXIT } from '../../client/exit-codes.js';
import { resolveServerConfig, serverFlags } from '../../server/server-flags.js';

export default class ServerStart extends Command {
  static override summary = 'Run a control plane in the foreground.';
  static override description =
    'Serves the SSM-compatible API (AWS JSON 1.1, SigV4) and the MQTT gateway to agents, with an embedded broker unless --mqtt-url names an external one. On the first start of a data dir it creates an admin access key and writes DIR/credentials and DIR/config for the AWS SDKs and CLI (profile "tender"). GET /healthz answers 200 once it is ready. Logs are JSON lines on standard output.';
  static override examples = [
    '<%= config.bin %> server start --data-dir /var/lib/tender --http-host 0.0.0.0 --mqtt-host 0.0.0.0',
    '<%= config.bin %> server start --mqtt-url mqtt://broker:1883 --mqtt-username tender --mqtt-password ... ',
    'TENDER_HTTP_PORT=9000 <%= config.bin %> server start --config /etc/tender/tender.json',
  ];
  static override flags = serverFlags;

  async run(): Promise<void> {
    const { flags } = await this.parse(ServerStart);
    let running;
    try {
      running = await startControlPlane(await resolveServerConfig(flags));
    } catch (error) {
      this.error((error as Error).message, { exit: EXIT.failure });
    }
    if (running.createdAdminKey) {
      process.stderr.write(`Created the admin access key: ${running.credentialsFile} (profile "tender").\n`);
    }
    process.stderr.write(`Tender control plane ready at ${running.endpoint} (agents connect to ${running.agentBrokerUrl}).\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await running.stop();
  }
}
