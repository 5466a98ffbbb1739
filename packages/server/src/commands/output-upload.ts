/**
 * The agent's upload of a step's full output: `PUT /tender/v1/outputs/<commandId>/<instanceId>/<step>/<stdout|stderr>`
 * signed as described in @tender/protocol (agent-request.ts). Checked in order: method and path, the signature
 * (authentication: api/agent-request-auth.ts), the instance named in the path being the
 * signer (authorisation), the invocation and step existing; then the body is written atomically. Every refusal
 * says why, with an HTTP status a client can act on; nothing is written unless every check passed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, isApiError } from '../api/errors.js';
import { sendJson } from '../api/http-api.js';
import type { CommandLogger } from './command-logger.js';
import { COMMAND_ID_PATTERN, isOutputStream, type OutputStore } from './output-store.js';
import { MAX_OUTPUT_UPLOAD_BYTES, OUTPUT_UPLOAD_PREFIX } from '@tender/protocol';
import { authenticateAgentRequest, type AgentRequestAuthDeps } from '../api/agent-request-auth.js';
import { INSTANCE_ID_PATTERN } from './command-targets.js';

export interface OutputUploadDeps extends AgentRequestAuthDeps {
  /** The step names of the document the invocation runs, or undefined when there is no such invocation. */
  stepsOf(commandId: string, instanceId: string): Promise<string[] | undefined>;
  outputs: OutputStore;
  logger: CommandLogger;
}

interface UploadTarget {
  path: string;
  commandId: string;
  instanceId: string;
  step: string;
  stream: 'stdout' | 'stderr';
}

function parseTarget(req: IncomingMessage): UploadTarget {
  const path = new URL(req.url ?? '/', 'http://tender').pathname;
  const usage = `${OUTPUT_UPLOAD_PREFIX}<commandId>/<instanceId>/<step>/<stdout|stderr>`;
  if (!path.startsWith(OUTPUT_UPLOAD_PREFIX)) throw new ApiError('NotFound', `no route for ${path}: uploads go to ${usage}`, 404);
  const parts = path.slice(OUTPUT_UPLOAD_PREFIX.length).split('/');
  if (parts.length !== 4) throw new ApiError('InvalidRequest', `the upload path must be ${usage}`, 400);
  let decoded: string[];
  try {
    decoded = parts.map((part) => decodeURIComponent(part));
  } catch {
    throw new ApiError('InvalidRequest', 'the upload path has malformed percent-encoding', 400);
  }
  const [commandId, instanceId, step, stream] = decoded as [string, string, string, string];
  if (!COMMAND_ID_PATTERN.test(commandId)) throw new ApiError('InvalidCommandId', `${JSON.stringify(commandId)} is not a command id`, 400);
  if (!INSTANCE_ID_PATTERN.test(instanceId)) throw new ApiError('InvalidInstanceId', `${JSON.stringify(instanceId)} is not an instance id`, 400);
  if (step === '') throw new ApiError('InvalidPluginName', 'the step name in the upload path is empty', 400);
  if (!isOutputStream(stream)) throw new ApiError('InvalidRequest', `the last part of the upload path is stdout or stderr, not ${JSON.stringify(stream)}`, 400);
  return { path, commandId, instanceId, step, stream };
}

async function accept(deps: OutputUploadDeps, req: IncomingMessage, body: Buffer): Promise<UploadTarget> {
  if (req.method !== 'PUT') throw new ApiError('MethodNotAllowed', `outputs are uploaded with PUT, not ${req.method ?? '(none)'}`, 405);
  const target = parseTarget(req);
  if (body.length > MAX_OUTPUT_UPLOAD_BYTES) throw new ApiError('RequestEntityTooLargeException', `an output upload is at most ${MAX_OUTPUT_UPLOAD_BYTES} bytes`, 413);

  const signer = authenticateAgentRequest(deps, req, target.path, body);
  if (signer !== target.instanceId) {
    throw new ApiError('AccessDeniedException', `${signer} may upload only its own outputs, not those of ${target.instanceId}`, 403);
  }
  const steps = await deps.stepsOf(target.commandId, target.instanceId);
  if (!steps) throw new ApiError('InvocationDoesNotExist', `command ${target.commandId} has no invocation on ${target.instanceId}`, 404);
  if (!steps.includes(target.step)) {
    throw new ApiError('InvalidPluginName', `the document of command ${target.commandId} has no step ${JSON.stringify(target.step)}`, 400);
  }
  return target;
}

export async function handleOutputUpload(deps: OutputUploadDeps, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  try {
    const target = await accept(deps, req, body);
    await deps.outputs.write(target.commandId, target.instanceId, target.step, target.stream, body);
    sendJson(res, 200, { CommandId: target.commandId, InstanceId: target.instanceId, PluginName: target.step, Stream: target.stream, Bytes: body.length });
  } catch (caught) {
    const error = isApiError(caught) ? caught : new ApiError('InternalServerError', 'the output could not be stored', 500);
    if (!isApiError(caught)) deps.logger.error({ err: caught }, 'output upload failed');
    else deps.logger.warn({ code: error.code, detail: error.message, url: req.url }, 'output upload refused');
    sendJson(res, error.status, error.toJSON());
  }
}
