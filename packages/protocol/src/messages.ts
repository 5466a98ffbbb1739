/**
 * The message: what one side says to the other. It travels inside an envelope (see envelope.ts) that carries
 * its exact serialised bytes and the signature over them.
 */
import { randomUUID } from 'node:crypto';
import { MAX_MESSAGE_ID_LENGTH } from './limits.js';

/** Bumped only for changes an old peer cannot read; receivers refuse other versions outright. */
export const PROTOCOL_VERSION = 1;

// `string & {}` keeps editor completion for the known types while letting packages add their own.
export type MessageType = 'hello' | 'heartbeat' | 'will' | 'ack' | 'deregistered' | (string & {});

export interface Message<B = unknown> {
  /** Protocol version. */
  v: number;
  /** Unique per message; acknowledgements and the replay guard refer to it. */
  id: string;
  type: MessageType;
  /** Sender: an instance id, or the control plane's name. Must be the owner of the signing key. */
  from: string;
  /** Recipient; a receiver drops messages addressed to anyone else. */
  to: string;
  /** Sender's clock, milliseconds since the epoch. */
  ts: number;
  body: B;
}

/**
 * Builds a message with the version filled in, a random id and the current time unless given. Throws a
 * TypeError for a message that every receiver would reject, so the mistake surfaces at the sender.
 */
export function createMessage<B>(fields: {
  type: MessageType;
  from: string;
  to: string;
  body: B;
  id?: string;
  ts?: number;
}): Message<B> {
  const message: Message<B> = {
    v: PROTOCOL_VERSION,
    id: fields.id ?? randomUUID(),
    type: fields.type,
    from: fields.from,
    to: fields.to,
    ts: fields.ts ?? Date.now(),
    body: fields.body,
  };
  const problem = messageShapeProblem(message);
  if (problem !== undefined) throw new TypeError(`cannot create message: ${problem}`);
  return message;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What is wrong with the shape of a would-be message, or undefined if nothing. Shared by the sender (so it never
 * signs what receivers refuse) and the receiver. It does not judge the version: that has its own reject reason.
 */
export function messageShapeProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `message must be a JSON object, got ${describeJson(value)}`;
  if (typeof value.v !== 'number') return `message field "v" must be a number, got ${describeJson(value.v)}`;
  if (typeof value.id !== 'string' || value.id.length === 0) {
    return `message field "id" must be a non-empty string, got ${describeJson(value.id)}`;
  }
  if (value.id.length > MAX_MESSAGE_ID_LENGTH) {
    return `message id is ${value.id.length} characters, limit ${MAX_MESSAGE_ID_LENGTH}`;
  }
  if (typeof value.type !== 'string' || value.type.length === 0) {
    return `message field "type" must be a non-empty string, got ${describeJson(value.type)}`;
  }
  if (typeof value.from !== 'string') return `message field "from" must be a string, got ${describeJson(value.from)}`;
  if (typeof value.to !== 'string') return `message field "to" must be a string, got ${describeJson(value.to)}`;
  if (typeof value.ts !== 'number' || !Number.isFinite(value.ts)) {
    return `message field "ts" must be a finite number, got ${describeJson(value.ts)}`;
  }
  // JSON has no undefined; a body that JSON.stringify would drop is as good as missing.
  const body = value.body;
  if (!('body' in value) || body === undefined || typeof body === 'function' || typeof body === 'symbol') {
    return 'message field "body" is missing (use null for an empty body)';
  }
  return undefined;
}

/** Names a value's JSON kind for error details without echoing (possibly large or secret) content. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `a ${typeof value}`;
}
