/**
 * The control plane's side of the State Manager wire contract, played by a test or a benchmark: `associations` sets
 * signed with the control plane's own key (read from its data dir) published to one agent's `down` topic, and the
 * agent's `association-status` reports read off its `up` topic and acknowledged. With it the agent can be exercised
 * against the contract (packages/protocol, "State Manager") without the control plane's State Manager.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AgentIdentity } from '@tender/agent';
import {
  createMessage,
  fromBase64,
  openEnvelope,
  ReplayGuard,
  signEnvelope,
  topics,
  type AssociationBody,
  type AssociationRunReport,
  type AssociationStatusBody,
  type AssociationsAckBody,
} from '@tender/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import type { TestControlPlane } from './control-plane.js';
import { eventually } from './processes.js';

/** The control plane's side of State Manager, played by the test: signed sets down, reports up (acknowledged). */
export class StateManagerWire {
  readonly reports = new Map<string, AssociationRunReport>();
  /** How many times each report arrived (resends before an acknowledgement are allowed; they store once). */
  readonly deliveries = new Map<string, number>();
  readonly acks: number[] = [];
  private client: MqttClient | undefined;
  private readonly guard = new ReplayGuard();

  constructor(
    private readonly agent: AgentIdentity,
    private readonly cp: { id: string; secretKey: Uint8Array },
  ) {}

  static async forControlPlane(cp: TestControlPlane, agent: AgentIdentity): Promise<StateManagerWire> {
    const identity = JSON.parse(await fs.readFile(path.join(cp.dataDir, 'identity.json'), 'utf8')) as { signingSecretKey: string };
    const wire = new StateManagerWire(agent, { id: agent.file.controlPlane.id, secretKey: fromBase64(identity.signingSecretKey) });
    await wire.connect(cp);
    return wire;
  }

  async connect(cp: TestControlPlane): Promise<void> {
    const conn = cp.running.brokerConnection;
    this.client = await connectAsync(conn.url, { username: conn.username, password: conn.password, protocolVersion: 4, clientId: `test-state-manager-${this.agent.file.instanceId}-${process.pid}`, reconnectPeriod: 0 });
    this.client.on('message', (_topic, payload) => this.receive(payload));
    await this.client.subscribeAsync(topics.up(this.agent.file.instanceId), { qos: 1 });
  }

  async disconnect(): Promise<void> {
    await this.client?.endAsync(true).catch(() => undefined);
    this.client = undefined;
  }

  private receive(payload: Buffer): void {
    const agentKey = this.agent.signing.secretKey.slice(32);
    const opened = openEnvelope(payload, { me: this.cp.id, guard: this.guard, maxBytes: 4 << 20, keys: (keyId) => (keyId === this.agent.file.instanceId ? { publicKey: agentKey, owner: keyId } : undefined) });
    if (!opened.ok) return;
    const { type, body } = opened.message;
    if (type === 'associations-ack') this.acks.push((body as AssociationsAckBody).revision);
    if (type === 'association-status') {
      const { reports } = body as AssociationStatusBody;
      for (const report of reports) {
        this.deliveries.set(report.runId, (this.deliveries.get(report.runId) ?? 0) + 1);
        if (!this.reports.has(report.runId)) this.reports.set(report.runId, report);
      }
      void this.send('association-status-ack', { runIds: reports.map((r) => r.runId) });
    }
  }

  async send(type: string, body: unknown): Promise<void> {
    const message = createMessage({ type, from: this.cp.id, to: this.agent.file.instanceId, body });
    await this.client!.publishAsync(topics.down(this.agent.file.instanceId), signEnvelope(message, this.cp.id, this.cp.secretKey), { qos: 1 });
  }

  /** Publishes a set and waits for the agent's acknowledgement of it. */
  async publishSet(revision: number, associations: AssociationBody[], timeoutMs?: number): Promise<number> {
    const message = createMessage({ type: 'associations', from: this.cp.id, to: this.agent.file.instanceId, body: { revision, associations } });
    const envelope = signEnvelope(message, this.cp.id, this.cp.secretKey);
    await this.client!.publishAsync(topics.down(this.agent.file.instanceId), envelope, { qos: 1 });
    await eventually(async () => this.acks.includes(revision), `associations-ack for revision ${revision}`, timeoutMs);
    return envelope.length;
  }

  reportsOf(associationId: string): AssociationRunReport[] {
    return [...this.reports.values()].filter((r) => r.associationId === associationId).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}
