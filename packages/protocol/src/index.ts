/**
 * @tender/protocol: the wire contract between agents and the control plane. Pure: no sockets, no files.
 */
export { toBase64, fromBase64 } from './encoding.js';
export { DEFAULT_MAX_ENVELOPE_BYTES, MAX_AGENT_UPLOAD_ENVELOPE_BYTES, DEFAULT_SKEW_MS, DEFAULT_REPLAY_GUARD_ENTRIES, MAX_MESSAGE_ID_LENGTH } from './limits.js';
export { generateSigningKeyPair, signingKeyPairFromSeed, keyFingerprint } from './keys.js';
export type { SigningKeyPair } from './keys.js';
export { sign, verify, naclSign, naclVerify } from './signing.js';
export { PROTOCOL_VERSION, createMessage } from './messages.js';
export type { Message, MessageType } from './messages.js';
export { TOPIC_PREFIX, topics, isValidInstanceId } from './topics.js';
export type { Topics } from './topics.js';
export { signEnvelope, openEnvelope } from './envelope.js';
export type { Envelope, RejectReason, KnownKey, KeyResolver, OpenOptions, OpenResult } from './envelope.js';
export { ReplayGuard } from './replay-guard.js';
export type { ReplayGuardOptions, ReplayVerdict } from './replay-guard.js';
export { createSealer, generateBoxKeyPair, naclSeal, seal, unseal } from './sealing.js';
export type { BoxKeyPair, Sealed } from './sealing.js';
export type {
  PlatformInfo,
  PresenceBody,
  SessionEndBody,
  DeregisteredBody,
  RejectionBody,
  CommandBody,
  CommandAckBody,
  StepResultBody,
  CommandStatusBody,
  CommandResultBody,
  ResultAckBody,
  CancelBody,
  InventoryItemBody,
  InventoryBody,
  InventoryAckBody,
  AssociationBody,
  AssociationsBody,
  AssociationsAckBody,
  AssociationRunNowBody,
  AssociationRunTrigger,
  AssociationRunReport,
  AssociationStatusBody,
  AssociationStatusAckBody,
} from './bodies.js';
export { inventoryContentHash } from './inventory-hash.js';
export {
  AGENT_REQUEST_HEADERS,
  AGENT_REQUEST_MAX_SKEW_MS,
  agentRequestHeaders,
  agentRequestStringToSign,
  signAgentRequest,
  verifyAgentRequest,
} from './agent-request.js';
export { DOCUMENT_FETCH_PREFIX, documentFetchTarget, type FetchedDocumentBody } from './document-fetch.js';
export { PATCH_SNAPSHOT_FETCH_PREFIX, patchSnapshotFetchTarget, type FetchedPatchSnapshotBody, type PatchSnapshotRequestBody } from './patch-snapshot-fetch.js';
export {
  OUTPUT_HEADERS,
  OUTPUT_UPLOAD_MAX_SKEW_MS,
  OUTPUT_UPLOAD_PREFIX,
  MAX_OUTPUT_UPLOAD_BYTES,
  outputUploadHeaders,
  outputUploadPath,
  outputUploadStringToSign,
  signOutputUpload,
  verifyOutputUpload,
  type OutputStream,
} from './output-upload.js';
