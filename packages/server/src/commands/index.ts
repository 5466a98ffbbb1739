/**
 * Run Command on the control plane. Wiring (control-plane.ts):
 *
 *   const commands = new CommandService({ store, registry, send: (id, type, body) => gateway.send(id, type, body),
 *     resolveDocument, now, outputsDir: path.join(dataDir, 'outputs'), region, accountId, endpoint: () => endpoint, logger });
 *   for (const [type, handler] of Object.entries(agentMessageHandlers(commands))) gateway.on(type, handler);
 *   await commands.start();                       // before agents' results are handled; stop() on shutdown
 *   operations: [...commandOperations(commands)]
 *   PUT /tender/v1/outputs/...  → commands.handleOutputUpload(req, res, body)   (a prefix route; bodies up to
 *                                  MAX_OUTPUT_UPLOAD_BYTES)
 *   GET (SigV4) of the same path → commands.readOutput(commandId, instanceId, step, stream)
 */
export { CommandService } from './command-service.js';
export type { CommandServiceOptions, SendToInstance } from './command-service.js';
export type { CommandLogger } from './command-logger.js';
export { commandOperations, agentMessageHandlers } from './operations.js';
export type { AgentMessageType } from './operations.js';
export type { ResolveDocument } from './prepare-run.js';
export type { CommandRecord, InvocationRecord, CommandStatus, InvocationStatus, Target } from './command-records.js';
export type { OutputStream } from '@tender/protocol';
export {
  MAX_OUTPUT_UPLOAD_BYTES,
  OUTPUT_HEADERS,
  OUTPUT_UPLOAD_MAX_SKEW_MS,
  OUTPUT_UPLOAD_PREFIX,
  outputUploadHeaders,
  outputUploadPath,
  signOutputUpload,
  verifyOutputUpload,
} from '@tender/protocol';
