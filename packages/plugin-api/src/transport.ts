import type { Logger } from './logger.js';

/**
 * A transport moves the agent's already-signed envelopes to and from a control plane. It knows nothing of
 * signatures or message types: the agent signs what it sends and verifies what it receives.
 */
export interface TransportContext {
  /** The managed-instance id (`mi-…`) the agent registered as. */
  instanceId: string;
  /** Settings the control plane handed out at registration (for MQTT: url, username, password, ca). */
  settings: Readonly<Record<string, unknown>>;
  logger: Logger;
  /**
   * Called before every connection attempt: the signed message the broker should publish for this agent if
   * the connection dies without a goodbye (MQTT Last Will). Fresh each time so it names that connection.
   */
  lastWill?: () => Uint8Array;
}

export type TransportStatus =
  | { state: 'connected' }
  /**
   * Not connected; the next attempt is in `retryInMs`. `attempt` counts the attempts in a row that failed or whose
   * connection did not last, so an agent can tell one drop from a connection that keeps breaking.
   */
  | { state: 'disconnected'; error?: string; retryInMs?: number; attempt?: number }
  /** The other side refused this agent's credentials: retrying will not help. */
  | { state: 'refused'; reason: string };

export interface Transport {
  /** Begin connecting; never throws for an unreachable peer: it retries with backoff and reports status. */
  start(): void;
  /** Send one envelope. Resolves once the peer has accepted it (QoS 1); waits while disconnected. */
  send(payload: Uint8Array): Promise<void>;
  onMessage(handler: (payload: Uint8Array) => void): void;
  onStatus(handler: (status: TransportStatus) => void): void;
  /** Disconnect cleanly (no Last Will is published). */
  stop(): Promise<void>;
}

export interface TransportFactory {
  /** A one-line description for `tender-agent plugins`. */
  description?: string;
  create(context: TransportContext): Transport;
}
