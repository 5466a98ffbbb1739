import { fromBase64, toBase64 } from '@tender/protocol';
import { ApiError } from '../api/errors.js';
import type { ActivationService } from '../activations/activation-service.js';
import { RegistrationRefused } from '../activations/activation-service.js';
import type { BrokerAdmin } from '../broker/broker-admin.js';
import type { ServerIdentity } from '../identity/server-identity.js';
import { InstanceRegistry, type InstanceRecord } from './instance-registry.js';

/** What `tender-agent register` sends: the activation, and the public halves of the keys it generated. */
export interface RegistrationRequest {
  activationId: string;
  activationCode: string;
  publicKey: string;
  boxPublicKey: string;
  name?: string;
}

/** What the agent keeps: who it now is, whom to trust, and how to connect. */
export interface RegistrationResponse {
  instanceId: string;
  region: string;
  accountId: string;
  controlPlane: { id: string; publicKey: string; boxPublicKey: string };
  transport: { name: 'mqtt'; settings: { url: string; username: string; password: string; ca?: string } };
  heartbeatSeconds: number;
}

export interface RegistrationOptions {
  region: string;
  /** The broker URL agents should use (what they can reach, not necessarily what the control plane uses). */
  agentBrokerUrl: string;
  agentBrokerCa?: string;
  heartbeatSeconds: number;
}

function parseRequest(body: unknown): RegistrationRequest {
  if (typeof body !== 'object' || body === null) throw new ApiError('ValidationException', 'the registration request must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const field of ['activationId', 'activationCode', 'publicKey', 'boxPublicKey'] as const) {
    if (typeof b[field] !== 'string' || b[field] === '') throw new ApiError('ValidationException', `the registration request has no ${field}`);
  }
  for (const field of ['publicKey', 'boxPublicKey'] as const) {
    let key: Uint8Array;
    try {
      key = fromBase64(b[field] as string);
    } catch {
      throw new ApiError('ValidationException', `${field} is not base64`);
    }
    if (key.length !== 32) throw new ApiError('ValidationException', `${field} must be a 32-byte key, got ${key.length} bytes`);
  }
  if (b.name !== undefined && (typeof b.name !== 'string' || b.name.length > 256)) {
    throw new ApiError('ValidationException', 'name must be a string of at most 256 characters');
  }
  return b as unknown as RegistrationRequest;
}

/**
 * Hybrid-activation registration: check the activation, take one registration from it, create the managed
 * instance, give it broker credentials, and hand it the control plane's public keys to pin. Any failure
 * after the activation was claimed undoes what was done, so a failed attempt leaves no half instance.
 */
export class RegistrationService {
  constructor(
    private readonly activations: ActivationService,
    private readonly instances: InstanceRegistry,
    private readonly broker: BrokerAdmin,
    private readonly identity: ServerIdentity,
    private readonly options: RegistrationOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async register(body: unknown): Promise<RegistrationResponse> {
    const request = parseRequest(body);
    const activation = await this.activations.claim(request.activationId, request.activationCode);
    const instanceId = InstanceRegistry.newInstanceId();
    const broker = InstanceRegistry.newBrokerPassword();
    const name = request.name ?? activation.DefaultInstanceName;
    const record: InstanceRecord = {
      InstanceId: instanceId,
      ActivationId: activation.ActivationId,
      ...(name ? { Name: name } : {}),
      IamRole: activation.IamRole,
      RegistrationDate: this.now().toISOString(),
      ResourceType: 'ManagedInstance',
      Tags: [...activation.Tags],
      publicKey: request.publicKey,
      boxPublicKey: request.boxPublicKey,
      brokerPasswordHash: broker.hash,
      PingStatus: 'ConnectionLost',
    };
    try {
      await this.instances.add(record);
      await this.broker.upsertAgent(instanceId, broker.password);
    } catch (error) {
      await this.instances.remove(instanceId).catch(() => undefined);
      await this.activations.release(activation.ActivationId).catch(() => undefined);
      if (error instanceof RegistrationRefused) throw error;
      throw new ApiError('InternalServerError', `registration failed: ${(error as Error).message}`, 500);
    }
    return {
      instanceId,
      region: this.options.region,
      accountId: this.identity.accountId,
      controlPlane: {
        id: this.identity.id,
        publicKey: toBase64(this.identity.signing.publicKey),
        boxPublicKey: toBase64(this.identity.box.publicKey),
      },
      transport: {
        name: 'mqtt',
        settings: {
          url: this.options.agentBrokerUrl,
          username: instanceId,
          password: broker.password,
          ...(this.options.agentBrokerCa ? { ca: this.options.agentBrokerCa } : {}),
        },
      },
      heartbeatSeconds: this.options.heartbeatSeconds,
    };
  }
}
