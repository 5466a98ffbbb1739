import { topics } from '@tender/protocol';
import type { Aedes, AedesPublishPacket } from 'aedes';
import type { BrokerLink } from './broker-link.js';

type AedesDeliver = (packet: AedesPublishPacket, done: () => void) => void;

/**
 * The gateway's link to the embedded aedes broker in the same process. It subscribes and publishes through
 * aedes' own API, so the gateway is no client of the broker: no socket, no MQTT encoding, no connection to
 * authenticate or lose. Messages still take aedes' routing path: agents' sessions get the gateway's messages
 * with QoS 1 (queued for a persistent session that is offline), and everything aedes routes to an `up` topic —
 * agents' publishes, which the ACL hooks authorised when they arrived, and the Last Wills aedes publishes
 * itself when a connection dies — reaches the gateway, in the order aedes routes them.
 */
export class InProcessBrokerLink implements BrokerLink {
  private listener: AedesDeliver | undefined;

  constructor(private readonly broker: Aedes) {}

  async start(deliver: (topic: string, payload: Buffer) => void): Promise<void> {
    const listener: AedesDeliver = (packet, done) => {
      // Handled from the check phase of this turn of the event loop (in the order routed), not inside aedes' routing
      // of it: the other subscribers to the topic get it without waiting for the gateway's checks and handler.
      // aedes waits for done() before it counts this message as routed: never leave it waiting.
      setImmediate(() => {
        try {
          deliver(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
        } finally {
          done();
        }
      });
    };
    // One broker, one control plane: nothing to share the subscription with, so no shared-subscription group.
    await new Promise<void>((resolve, reject) => subscribe(this.broker, topics.allUp, listener, (error) => (error ? reject(error) : resolve())));
    this.listener = listener;
  }

  get connected(): boolean {
    return this.listener !== undefined && !this.broker.closed;
  }

  publish(topic: string, payload: Buffer): Promise<void> {
    if (!this.listener) return Promise.reject(new Error('the broker link is not started'));
    // Routed at once, in the order sent: a command reaches its agent's socket before the caller answers the API call
    // that sent it. Whoever has a message that can wait (an acknowledgement) holds it back itself. aedes calls back
    // once the message is queued for offline persistent sessions and written to the connected subscribers' sockets.
    return new Promise<void>((resolve, reject) =>
      this.broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (error) => (error ? reject(error) : resolve())),
    );
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    if (!listener || this.broker.closed) return;
    await new Promise<void>((resolve) => this.broker.unsubscribe(topics.allUp, listener, () => resolve()));
  }
}

/** aedes' types say its subscribe callback takes no argument; it does pass an error (e.g. a topic too deep). */
function subscribe(broker: Aedes, topic: string, listener: AedesDeliver, done: (error?: Error) => void): void {
  (broker.subscribe as (topic: string, deliver: AedesDeliver, done: (error?: Error) => void) => void).call(broker, topic, listener, done);
}
