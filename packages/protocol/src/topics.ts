/**
 * MQTT topic names. Each instance has its own pair so the broker's ACL can confine an agent to reading its own
 * `down` and writing its own `up`; the control plane reads every `up` through a wildcard.
 */

export const TOPIC_PREFIX = 'tender/v1/i';

const INSTANCE_ID = /^mi-[0-9a-f]{17}$/;

/** A managed-instance id as the control plane issues it: `mi-` followed by 17 lowercase hex digits. */
export function isValidInstanceId(id: string): boolean {
  return typeof id === 'string' && INSTANCE_ID.test(id);
}

// A segment containing one of these would change which topics a name matches (or split it), turning a topic
// into a wildcard subscription or somebody else's topic; NUL is forbidden in MQTT strings altogether.
const FORBIDDEN_IN_SEGMENT = ['/', '+', '#', '\u0000'];

function forbiddenCharIn(value: string): string | undefined {
  return FORBIDDEN_IN_SEGMENT.find((char) => value.includes(char));
}

function checkSegment(what: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${what} must be a non-empty string`);
  const bad = forbiddenCharIn(value);
  if (bad !== undefined) {
    throw new TypeError(`${what} ${JSON.stringify(value)} contains ${JSON.stringify(bad)}, which is not allowed in a topic segment`);
  }
}

function isSegment(value: string): boolean {
  return value.length > 0 && forbiddenCharIn(value) === undefined;
}

export interface Topics {
  down(instanceId: string): string;
  up(instanceId: string): string;
  allUp: string;
  sharedAllUp(group: string): string;
  parse(topic: string): { instanceId: string; direction: 'up' | 'down' } | undefined;
}

export const topics: Topics = {
  /** Control plane → agent. */
  down(instanceId: string): string {
    checkSegment('instance id', instanceId);
    return `${TOPIC_PREFIX}/${instanceId}/down`;
  },
  /** Agent → control plane. */
  up(instanceId: string): string {
    checkSegment('instance id', instanceId);
    return `${TOPIC_PREFIX}/${instanceId}/up`;
  },
  /** What a single control plane subscribes to. */
  allUp: `${TOPIC_PREFIX}/+/up`,
  /** What each of several control-plane replicas subscribes to, so the broker hands every message to one of them. */
  sharedAllUp(group: string): string {
    checkSegment('shared subscription group', group);
    return `$share/${group}/${TOPIC_PREFIX}/+/up`;
  },
  /**
   * The instance and direction of a topic a message arrived on, or undefined for anything else. Only real topic
   * names: brokers deliver messages on the publish topic, never on a `$share/...` filter or a wildcard.
   */
  parse(topic: string): { instanceId: string; direction: 'up' | 'down' } | undefined {
    if (typeof topic !== 'string' || !topic.startsWith(`${TOPIC_PREFIX}/`)) return undefined;
    const rest = topic.slice(TOPIC_PREFIX.length + 1).split('/');
    if (rest.length !== 2) return undefined;
    const [instanceId, direction] = rest as [string, string];
    if (!isSegment(instanceId)) return undefined;
    if (direction !== 'up' && direction !== 'down') return undefined;
    return { instanceId, direction };
  },
};
