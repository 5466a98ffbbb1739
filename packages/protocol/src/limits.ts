/**
 * Wire limits shared by both halves. They live in one place so a sender can check what a receiver will
 * accept without importing the receiver's code.
 */

/**
 * Largest envelope a receiver accepts by default (128 KiB). Brokers and agents buffer whole messages, so an
 * unbounded size is a memory lever for anyone who can publish; bigger payloads are chunked or moved to HTTP.
 */
export const DEFAULT_MAX_ENVELOPE_BYTES = 131072;

/**
 * Largest envelope the control plane accepts from an agent (4 MiB). A full inventory upload carries a host's
 * whole package list (a Debian host with 700 packages: about 240 KB; SSM allows 1 MB per type), which the
 * default limit cannot hold. Only agents the broker authenticated can publish on their `up` topic.
 */
export const MAX_AGENT_UPLOAD_ENVELOPE_BYTES = 4 * 1024 * 1024;

/**
 * How far a message's `ts` may be from the receiver's clock, either side (5 minutes). It bounds how long a
 * captured envelope stays replayable, and therefore how long the replay guard has to remember ids.
 */
export const DEFAULT_SKEW_MS = 300000;

/** Longest message id accepted: ids are kept in memory by the replay guard, so they must stay small. */
export const MAX_MESSAGE_ID_LENGTH = 128;

/** Default number of ids the replay guard remembers before it starts evicting early. */
export const DEFAULT_REPLAY_GUARD_ENTRIES = 100000;
