/**
 * How the gateway reaches the broker: it hears every agent's `up` topic and publishes down to agents. The
 * gateway's verification and signing do not depend on which link carries the bytes. Two kinds exist:
 * - MqttClientLink: a privileged MQTT client, for an external broker (Mosquitto, shared subscriptions, and the
 *   dynamic-security administration that travels over that same client);
 * - InProcessBrokerLink: direct calls into the embedded aedes broker living in the control plane's own process,
 *   which spares every message a serialisation, a loopback socket and an event-loop turn each way.
 */
export interface BrokerLink {
  /**
   * Subscribe (QoS 1) to every agent's `up` topic and hand each message to `deliver`, one agent's messages in the
   * order that agent published them. Resolves once the subscription is in place.
   */
  start(deliver: (topic: string, payload: Buffer) => void): Promise<void>;
  /** Publish with QoS 1; resolves once the broker has taken the message. */
  publish(topic: string, payload: Buffer): Promise<void>;
  /** Whether messages flow now (for /healthz). */
  readonly connected: boolean;
  stop(): Promise<void>;
}
