import { topics } from '@tender/protocol';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { BrokerLink } from './broker-link.js';

export interface MqttClientLinkOptions {
  /** Where the control plane's privileged client connects. */
  url: string;
  username: string;
  password: string;
  ca?: string;
  /** Shared subscription group when several replicas share a broker that has them (Mosquitto 2). */
  shareGroup?: string;
  logger: Logger;
}

/** The gateway's link to an external broker: one privileged mqtt.js client that reconnects on its own. */
export class MqttClientLink implements BrokerLink {
  private mqtt: MqttClient | undefined;

  constructor(private readonly options: MqttClientLinkOptions) {}

  async start(deliver: (topic: string, payload: Buffer) => void): Promise<void> {
    const { connect } = await import('mqtt');
    const clientOptions: IClientOptions = {
      clientId: `tender-cp-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      username: this.options.username,
      password: this.options.password,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    };
    const client = connect(this.options.url, clientOptions);
    this.mqtt = client;
    // Without TCP_NODELAY, a result-ack published just after the PUBACK of the command-result it answers waited
    // for the broker's delayed ACK (up to 40 ms) on every command. Each (re)connection has a new socket.
    client.on('connect', () => (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true));
    client.on('message', (topic, payload) => deliver(topic, payload));
    client.on('error', (error) => this.options.logger.warn({ err: error.message }, 'broker connection error'));
    client.on('offline', () => this.options.logger.warn({ url: this.options.url }, 'lost the broker; reconnecting'));
    const subscription = this.options.shareGroup ? topics.sharedAllUp(this.options.shareGroup) : topics.allUp;
    const subscribed = new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => reject(new Error(`cannot connect to the MQTT broker at ${this.options.url}: ${error.message}`));
      client.once('error', fail);
      client.once('connect', () => {
        client.off('error', fail);
        client.subscribe(subscription, { qos: 1 }, (error, granted) => {
          if (error) return reject(error);
          if (granted?.some((g) => g.qos === 128)) return reject(new Error(`the broker refused the control plane's subscription to ${subscription}: check its ACL`));
          resolve();
        });
      });
    });
    // A link that never came up must not go on reconnecting in the background.
    await subscribed.catch(async (error: unknown) => {
      this.mqtt = undefined;
      await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
      throw error;
    });
    // Re-subscribe after a reconnect with a clean session.
    client.on('connect', (connack) => {
      if (!connack.sessionPresent) client.subscribe(subscription, { qos: 1 });
    });
  }

  /** The privileged client itself, for broker administration over MQTT (Mosquitto's dynamic security). */
  get client(): MqttClient {
    if (!this.mqtt) throw new Error('the broker link is not started');
    return this.mqtt;
  }

  get connected(): boolean {
    return Boolean(this.mqtt?.connected);
  }

  publish(topic: string, payload: Buffer): Promise<void> {
    const client = this.client;
    return new Promise<void>((resolve, reject) => client.publish(topic, payload, { qos: 1 }, (error) => (error ? reject(error) : resolve())));
  }

  async stop(): Promise<void> {
    const client = this.mqtt;
    this.mqtt = undefined;
    if (client) await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }
}
