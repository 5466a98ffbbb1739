/**
 * The bodies of the message types both halves exchange today. Later capabilities add theirs beside these.
 */

/** The host facts an agent reports: SSM's InstanceInformation fields the agent knows, plus a few of Tender's. */
export interface PlatformInfo {
  PlatformType: 'Linux' | 'Windows' | 'MacOS';
  PlatformName: string;
  PlatformVersion: string;
  AgentVersion: string;
  ComputerName: string;
  IPAddress: string;
  Architecture?: string;
  KernelVersion?: string;
}

/**
 * `hello` (on every connection) and `heartbeat` (periodically). `sid` names the connection: a Last Will is
 * honoured only while its `sid` is the one the agent announced last.
 */
export interface PresenceBody {
  sid: string;
  info?: PlatformInfo;
}

/** `will` (published by the broker when the connection dies) and `goodbye` (a clean stop). */
export interface SessionEndBody {
  sid: string;
}

/** `deregistered`: the control plane has revoked this instance. */
export interface DeregisteredBody {
  reason: string;
}

/** `rejection`: an agent refused a message addressed to it (for the control plane's counters and audit). */
export interface RejectionBody {
  reason: string;
  detail: string;
  messageId?: string;
}
