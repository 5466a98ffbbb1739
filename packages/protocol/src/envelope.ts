/**
 * The envelope: a message serialised once, plus the signature over exactly those bytes and the id of the key
 * that made it. Carrying the message as a string means the receiver verifies the bytes the sender signed,
 * never a re-serialisation that could differ in key order, spacing or number formatting.
 *
 *   {"m": "<message JSON>", "s": "<base64 Ed25519 signature of m's UTF-8 bytes>", "k": "<key id>"}
 */
import { fromBase64, toBase64 } from './encoding.js';
import { DEFAULT_MAX_ENVELOPE_BYTES, DEFAULT_SKEW_MS } from './limits.js';
import { PROTOCOL_VERSION, describeJson, messageShapeProblem } from './messages.js';
import type { Message } from './messages.js';
import type { ReplayGuard } from './replay-guard.js';
import { sign, verify } from './signing.js';

export interface Envelope {
  /** The message, as JSON text. */
  m: string;
  /** Base64 Ed25519 signature of m's UTF-8 bytes. */
  s: string;
  /** Id of the signing key. */
  k: string;
}

export type RejectReason =
  | 'too_large'
  | 'malformed'
  | 'unsupported_version'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_sender'
  | 'wrong_recipient'
  | 'stale'
  | 'replay';

export interface KnownKey {
  publicKey: Uint8Array;
  /** The only `from` this key may sign for. */
  owner: string;
}

export type KeyResolver = (keyId: string) => KnownKey | undefined;

export interface OpenOptions {
  /** Expected `to`. */
  me: string;
  keys: KeyResolver;
  guard: ReplayGuard;
  /** Default Date.now(). */
  now?: number;
  /** Default DEFAULT_MAX_ENVELOPE_BYTES. */
  maxBytes?: number;
  /** Default DEFAULT_SKEW_MS. */
  skewMs?: number;
  /**
   * Messages that may be older than the skew window, e.g. MQTT Last Will messages, signed at connect time and
   * delivered by the broker much later. Called only for authenticated messages addressed to me. The replay-by-id
   * check still applies (such a message is remembered from the moment it is accepted), and ts in the future
   * beyond the skew window is still refused.
   */
  acceptStale?: (message: Message) => boolean;
}

/**
 * On failure, keyId, messageId and from are whatever the envelope claimed as far as it was read: useful for
 * counting and audit events, but not authenticated unless the reason comes after bad_signature.
 */
export type OpenResult =
  | { ok: true; message: Message; keyId: string }
  | { ok: false; reason: RejectReason; detail: string; keyId?: string; messageId?: string; from?: string };

const ENVELOPE_FIELDS = ['m', 's', 'k'] as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

// A lone surrogate encodes to the same UTF-8 bytes (U+FFFD) as the replacement character and as every other
// lone surrogate, so two different strings would carry one valid signature. JSON.stringify never produces one.
const LONE_SURROGATE = /\p{Cs}/u;

function toUtf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/**
 * Serialises the message once, signs exactly those UTF-8 bytes and returns the UTF-8 bytes of the envelope.
 * Throws a TypeError for a message receivers would reject as malformed. It does not enforce the size limit:
 * the caller compares the result's length with the limit it has agreed with the receiver.
 */
export function signEnvelope(message: Message, keyId: string, secretKey: Uint8Array): Buffer {
  const problem = messageShapeProblem(message);
  if (problem !== undefined) throw new TypeError(`cannot sign message: ${problem}`);
  if (typeof keyId !== 'string' || keyId.length === 0) throw new TypeError('cannot sign message: key id must be a non-empty string');
  // A fresh object pins the field order and leaves out anything that is not part of the protocol.
  const { v, id, type, from, to, ts, body } = message;
  const m = JSON.stringify({ v, id, type, from, to, ts, body });
  const envelope: Envelope = { m, s: toBase64(sign(toUtf8(m), secretKey)), k: keyId };
  return toUtf8(JSON.stringify(envelope));
}

type Claims = { keyId?: string; messageId?: string; from?: string };

function reject(reason: RejectReason, detail: string, claims: Claims = {}): OpenResult {
  return { ok: false, reason, detail, ...claims };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function envelopeShapeProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `envelope must be a JSON object, got ${describeJson(value)}`;
  for (const key of Object.keys(value)) {
    if (!(ENVELOPE_FIELDS as readonly string[]).includes(key)) return `envelope has unexpected field ${JSON.stringify(key)}`;
  }
  for (const key of ENVELOPE_FIELDS) {
    if (!(key in value)) return `envelope field "${key}" is missing`;
    if (typeof value[key] !== 'string') return `envelope field "${key}" must be a string, got ${describeJson(value[key])}`;
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks an envelope in the order the design fixes (each failure has its own reason) and returns the message
 * only if every check passed. Never throws. Only a fully accepted message is recorded in the replay guard, so
 * nobody can fill the guard with ids of messages that were refused.
 */
export function openEnvelope(bytes: Uint8Array | string, options: OpenOptions): OpenResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  const skewMs = options.skewMs ?? DEFAULT_SKEW_MS;
  const now = options.now ?? Date.now();

  // Typed callers cannot get here, but bytes come off the network through untyped MQTT client code.
  if (typeof bytes !== 'string' && !(bytes instanceof Uint8Array)) {
    return reject('malformed', `envelope must be bytes or a string, got ${describeJson(bytes)}`);
  }

  // 1. Size, before any parsing work.
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes, 'utf8') : bytes.byteLength;
  if (size > maxBytes) return reject('too_large', `envelope is ${size} bytes, limit ${maxBytes}`);

  // 2. Envelope JSON and shape.
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else {
    try {
      text = utf8.decode(bytes);
    } catch {
      return reject('malformed', 'envelope is not valid UTF-8');
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return reject('malformed', `envelope is not JSON: ${errorText(error)}`);
  }
  const envelopeProblem = envelopeShapeProblem(parsed);
  if (envelopeProblem !== undefined) return reject('malformed', envelopeProblem);
  const envelope = parsed as unknown as Envelope;
  const keyId = envelope.k;

  // 3. Message JSON and shape; m is parsed exactly once.
  if (LONE_SURROGATE.test(envelope.m)) return reject('malformed', 'message text contains a lone UTF-16 surrogate', { keyId });
  let raw: unknown;
  try {
    raw = JSON.parse(envelope.m);
  } catch (error) {
    return reject('malformed', `message is not JSON: ${errorText(error)}`, { keyId });
  }
  const messageProblem = messageShapeProblem(raw);
  if (messageProblem !== undefined) return reject('malformed', messageProblem, { keyId });
  const fields = raw as Message;
  const message: Message = {
    v: fields.v,
    id: fields.id,
    type: fields.type,
    from: fields.from,
    to: fields.to,
    ts: fields.ts,
    body: fields.body,
  };
  const claims: Claims = { keyId, messageId: message.id, from: message.from };

  // 4. Version.
  if (message.v !== PROTOCOL_VERSION) {
    return reject('unsupported_version', `message version ${message.v}, supported ${PROTOCOL_VERSION}`, claims);
  }

  // 5. Key.
  let key: ReturnType<KeyResolver>;
  try {
    key = options.keys(keyId);
  } catch (error) {
    return reject('unknown_key', `key ${JSON.stringify(keyId)} could not be resolved: ${errorText(error)}`, claims);
  }
  if (key === undefined) return reject('unknown_key', `key ${JSON.stringify(keyId)} is not known`, claims);

  // 6. Signature over exactly the UTF-8 bytes of m.
  let signature: Uint8Array;
  try {
    signature = fromBase64(envelope.s);
  } catch (error) {
    return reject('bad_signature', `signature is not base64: ${errorText(error)}`, claims);
  }
  if (signature.length !== 64) {
    return reject('bad_signature', `signature is ${signature.length} bytes, expected 64`, claims);
  }
  if (!verify(toUtf8(envelope.m), signature, key.publicKey)) {
    return reject('bad_signature', `signature does not verify with key ${JSON.stringify(keyId)}`, claims);
  }

  // 7. The key may only speak for its owner.
  if (message.from !== key.owner) {
    return reject(
      'wrong_sender',
      `message claims to be from ${JSON.stringify(message.from)} but key ${JSON.stringify(keyId)} belongs to ${JSON.stringify(key.owner)}`,
      claims,
    );
  }

  // 8. Addressed to me.
  if (message.to !== options.me) {
    return reject('wrong_recipient', `message is addressed to ${JSON.stringify(message.to)}, not ${JSON.stringify(options.me)}`, claims);
  }

  // 9. Time. A message accepted as stale is remembered from now on, because its own ts has already left the window.
  let guardTs = message.ts;
  const age = now - message.ts;
  if (Math.abs(age) > skewMs) {
    let acceptOld = false;
    if (age > 0 && options.acceptStale !== undefined) {
      try {
        acceptOld = options.acceptStale(message) === true;
      } catch {
        acceptOld = false;
      }
    }
    if (!acceptOld) {
      const direction = age > 0 ? 'behind' : 'ahead of';
      return reject('stale', `message ts ${message.ts} is ${Math.abs(age)} ms ${direction} now (${now}); limit ${skewMs} ms`, claims);
    }
    guardTs = now;
  }

  // 10. Replay.
  const verdict = options.guard.check(message.id, guardTs, now);
  if (verdict === 'replay') return reject('replay', `message id ${JSON.stringify(message.id)} was already accepted`, claims);
  if (verdict === 'stale') {
    return reject('stale', `message ts ${message.ts} is older than the replay guard can vouch for (window or eviction floor)`, claims);
  }

  return { ok: true, message, keyId };
}
