/**
 * What the control plane needs from an MQTT broker to manage agent accounts.
 *
 * Two implementations: the embedded aedes broker (the control plane enforces the ACL in its own auth hooks) and an
 * external Mosquitto driven through its dynamic-security plugin (`MosquittoDynsecAdmin`).
 *
 * The ACL every implementation applies to agent `<id>` (see DESIGN.md, "Wire protocol (MQTT)"):
 * - it may subscribe to, and receive from, only `tender/v1/i/<id>/down`;
 * - it may publish (its Last Will included) only to `tender/v1/i/<id>/up`.
 */

export interface AgentBrokerCredentials {
  username: string;
  password: string;
}

export interface BrokerAdmin {
  /** Create or replace the broker account of one agent, with its ACL; resolves only once the broker has applied it. */
  upsertAgent(instanceId: string, password: string): Promise<void>;
  /** Remove the agent's account and kick any live connection of it; resolves once applied. */
  removeAgent(instanceId: string): Promise<void>;
  close(): Promise<void>;
}
