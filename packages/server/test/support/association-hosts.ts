/** The two registered hosts the State Manager tests target (by tag and by id), at the tests' fixed start time. */
import { createHash } from 'node:crypto';
import type { InstanceRecord } from '../../src/instances/instance-registry.js';

export const T0 = Date.parse('2026-11-01T12:00:00Z');
export const WEB = 'mi-0123456789abcdef1';
export const DB = 'mi-0123456789abcdef2';

export function instance(id: string, tags: Array<{ Key: string; Value: string }>): InstanceRecord {
  return {
    InstanceId: id,
    ActivationId: '11111111-1111-4111-8111-111111111111',
    IamRole: 'SSMServiceRole',
    RegistrationDate: new Date(T0).toISOString(),
    ResourceType: 'ManagedInstance',
    Tags: tags,
    publicKey: Buffer.alloc(32, 1).toString('base64'),
    boxPublicKey: Buffer.alloc(32, 2).toString('base64'),
    brokerPasswordHash: createHash('sha256').update(id).digest('hex'),
    PingStatus: 'Online',
  };
}
