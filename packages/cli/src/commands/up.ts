import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CreateActivationCommand, DescribeInstanceInformationCommand, GetCommandInvocationCommand, SendCommandCommand, type GetCommandInvocationCommandOutput, type InstanceInformation } from '@aws-sdk/client-ssm';
import { Command, Flags } from '@oclif/core';
import { loadIdentity, registerAgent, saveIdentity } from '@tender/agent';
import { startControlPlane, SERVER_DEFAULTS } from '@tender/server';
import { pino } from 'pino';
import { DEFAULT_DATA_DIR, parseCredentialsFile } from '../client/client-settings.js';
import { EXIT } from '../client/exit-codes.js';
import { renderTable } from '../client/table.js';
import { ssmClient } from '../client/tender-api.js';
import { startAgentProcess } from '../quickstart/agent-process.js';
import { preferredOrFreePort } from '../quickstart/free-port.js';

export default class Up extends Command {
  static override summary = 'Start Tender on embedded defaults: a control plane, a local agent registered to it, and a first command run through it.';
  static override description =
    'Runs a control plane with its embedded broker and store in --data-dir, registers an agent on this host with a hybrid activation (once; later runs reuse its identity), starts it as its own process, waits until DescribeInstanceInformation shows it Online, runs a first command on it (SendCommand AWS-RunShellScript), and prints the endpoint, how to use the credentials, and what to try next. It keeps running until Ctrl-C, or stops at once with --once. Default ports are taken when free, any free ones otherwise (it says which).';
  static override flags = {
    'data-dir': Flags.string({ description: 'where the control plane and the local agent keep their state', default: DEFAULT_DATA_DIR, env: 'TENDER_DATA_DIR' }),
    'http-port': Flags.integer({ description: 'preferred API port', default: SERVER_DEFAULTS.httpPort }),
    'mqtt-port': Flags.integer({ description: 'preferred broker port', default: SERVER_DEFAULTS.mqttPort }),
    once: Flags.boolean({ description: 'stop everything once the agent is Online (for scripts and CI)', default: false }),
    'timeout-seconds': Flags.integer({ description: 'how long to wait for the agent to come Online', default: 60 }),
    json: Flags.boolean({ description: 'print the result as JSON', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Up);
    const dataDir = path.resolve(flags['data-dir']);
    const say = (line: string) => {
      if (!flags.json) this.log(line);
    };
    const host = '127.0.0.1';
    const http = await preferredOrFreePort(host, flags['http-port']);
    const mqtt = await preferredOrFreePort(host, flags['mqtt-port']);
    if (http.fallback) say(`Port ${flags['http-port']} is taken; the API uses ${http.port}.`);
    if (mqtt.fallback) say(`Port ${flags['mqtt-port']} is taken; the broker uses ${mqtt.port}.`);

    const logFile = path.join(dataDir, 'server.log');
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    const logger = pino({ level: 'info', base: { svc: 'tender' } }, pino.destination({ dest: logFile, mkdir: true, sync: false }));
    say(`Starting the control plane in ${dataDir} (log: ${logFile}) ...`);
    const server = await startControlPlane({ ...SERVER_DEFAULTS, dataDir, httpHost: host, httpPort: http.port, mqttHost: host, mqttPort: mqtt.port, heartbeatSeconds: 30 }, { logger }).catch((error: Error) =>
      this.error(`the control plane did not start: ${error.message}`, { exit: EXIT.failure }),
    );
    const settings = { endpoint: server.endpoint, region: server.region, credentials: await readAdminKey(server.credentialsFile) };
    const ssm = ssmClient(settings);
    let agent: ReturnType<typeof startAgentProcess> | undefined;
    const stopAll = async () => {
      if (agent && agent.exitCode === null) {
        agent.kill('SIGTERM');
        await new Promise((resolve) => agent?.once('exit', resolve));
      }
      await server.stop();
      logger.flush();
    };

    try {
      const stateDir = path.join(dataDir, 'agent');
      const instanceId = await this.ensureRegistered(ssm, server.endpoint, server.agentBrokerUrl, stateDir, say);
      const agentLog = path.join(dataDir, 'agent.log');
      say(`Starting the agent (log: ${agentLog}) ...`);
      const started = Date.now();
      agent = startAgentProcess(stateDir, agentLog);
      const child = agent;
      const online = await waitOnline(ssm, instanceId, flags['timeout-seconds'] * 1000, () => child.exitCode);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      // The first command through it: AWS-RunShellScript on the local agent, as any SDK would send it.
      const sent = await ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [instanceId], Comment: 'tender up: first command', Parameters: { commands: ['echo "Hello from $(hostname), instance $AWS_SSM_INSTANCE_ID"', 'uptime'] } }));
      const firstCommand = await waitCommand(ssm, sent.Command?.CommandId ?? '', instanceId, flags['timeout-seconds'] * 1000);
      if (flags.json) {
        this.log(JSON.stringify({ endpoint: server.endpoint, broker: server.agentBrokerUrl, region: server.region, credentialsFile: server.credentialsFile, instance: online, secondsToOnline: Number(seconds), firstCommand: { CommandId: firstCommand.CommandId, Status: firstCommand.Status, ResponseCode: firstCommand.ResponseCode, StandardOutputContent: firstCommand.StandardOutputContent } }, null, 2));
      } else {
        this.printWelcome(server, online, seconds, dataDir, firstCommand);
      }
      if (flags.once) return;
      say('Running. Press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
        child.once('exit', (code) => {
          this.warn(`the agent exited (code ${code}); see ${agentLog}`);
          resolve();
        });
      });
    } finally {
      await stopAll();
    }
  }

  private async ensureRegistered(ssm: ReturnType<typeof ssmClient>, endpoint: string, brokerUrl: string, stateDir: string, say: (line: string) => void): Promise<string> {
    const existing = await loadIdentity(stateDir).catch(() => undefined);
    if (existing) {
      say(`The local agent is already registered as ${existing.file.instanceId}.`);
      // The ports may differ from the last run (the defaults were taken): the local agent follows the broker.
      if (existing.file.transport.settings.url !== brokerUrl || existing.file.endpoint !== endpoint) {
        await saveIdentity(stateDir, { ...existing.file, endpoint, transport: { ...existing.file.transport, settings: { ...existing.file.transport.settings, url: brokerUrl } } });
      }
      return existing.file.instanceId;
    }
    say('Creating a hybrid activation (CreateActivation) and registering the local agent with it ...');
    const activation = await ssm.send(new CreateActivationCommand({ IamRole: 'TenderManagedInstance', RegistrationLimit: 1, DefaultInstanceName: 'local', Description: 'tender up: the local agent', Tags: [{ Key: 'Environment', Value: 'local' }] }));
    const identity = await registerAgent({ endpoint, activationId: activation.ActivationId ?? '', activationCode: activation.ActivationCode ?? '', stateDir });
    say(`Registered as ${identity.instanceId}.`);
    return identity.instanceId;
  }

  private printWelcome(server: { endpoint: string; agentBrokerUrl: string; credentialsFile: string; region: string }, online: InstanceInformation, seconds: string, dataDir: string, first: GetCommandInvocationCommandOutput): void {
    const relative = path.relative(process.cwd(), dataDir);
    const rel = relative && !relative.startsWith('..') ? relative : dataDir;
    this.log('');
    this.log(`The agent came Online in ${seconds} s. DescribeInstanceInformation says:`);
    this.log('');
    this.log(renderTable([online as Record<string, unknown>], ['InstanceId', 'Name', 'PingStatus', 'PlatformType', 'PlatformName', 'PlatformVersion', 'ComputerName', 'IPAddress', 'AgentVersion']));
    this.log('');
    this.log(`First command (SendCommand AWS-RunShellScript, ${first.CommandId}): ${first.Status}, exit code ${first.ResponseCode}`);
    for (const line of (first.StandardOutputContent ?? '').trimEnd().split('\n')) this.log(`  | ${line}`);
    this.log('');
    this.log(`API endpoint:  ${server.endpoint}   (AWS JSON 1.1, SigV4, region ${server.region})`);
    this.log(`Agent broker:  ${server.agentBrokerUrl}`);
    this.log(`Credentials:   ${server.credentialsFile} (profile "tender")`);
    this.log('');
    this.log('Use them with any AWS SDK or the AWS CLI:');
    this.log(`  export AWS_SHARED_CREDENTIALS_FILE=${path.join(rel, 'credentials')} AWS_CONFIG_FILE=${path.join(rel, 'config')} AWS_PROFILE=tender`);
    this.log(`  aws ssm describe-instance-information --endpoint-url ${server.endpoint}`);
    this.log('');
    this.log('Or with tender (in another terminal, from this folder):');
    this.log('  node bin/tender.js instances list');
    this.log(`  node bin/tender.js send-command -d AWS-RunShellScript -p commands="df -h" -i ${online.InstanceId} --wait`);
    this.log('  node bin/tender.js activations create --registration-limit 10    # to register more hosts');
    this.log('  node bin/tender.js audit');
    this.log('  node bin/tender.js --help');
  }
}

async function readAdminKey(file: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const key = parseCredentialsFile(await fs.readFile(file, 'utf8'), 'tender');
  if (!key) throw new Error(`${file} has no [tender] profile`);
  return key;
}

async function waitCommand(ssm: ReturnType<typeof ssmClient>, commandId: string, instanceId: string, timeoutMs: number): Promise<GetCommandInvocationCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const invocation = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })).catch(() => undefined);
    if (invocation && ['Success', 'Failed', 'Cancelled', 'TimedOut'].includes(invocation.Status ?? '')) return invocation;
    if (Date.now() > deadline) throw new Error(`the first command ${commandId} did not finish within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitOnline(ssm: ReturnType<typeof ssmClient>, instanceId: string, timeoutMs: number, exited: () => number | null): Promise<InstanceInformation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }));
    const info = result.InstanceInformationList?.[0];
    if (info?.PingStatus === 'Online' && info.PlatformName) return info;
    if (exited() !== null) throw new Error(`the agent exited with code ${exited()} before coming Online; see its log`);
    if (Date.now() > deadline) throw new Error(`the agent did not come Online within ${timeoutMs / 1000} s (status ${info?.PingStatus ?? 'unknown'}); see its log`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
