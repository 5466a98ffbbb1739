import { createHash } from 'node:crypto';
import type { InstanceRecord } from '../../src/instances/instance-registry.js';

/**
 * A registered managed instance as the registry keeps it, for tests: Online, untagged, registered at the epoch, with
 * placeholder keys (no test here verifies a signature against them) and the hash of the broker password
 * `password-<id>`. Tests override what they look at.
 */
export function instanceRecord(id: string, over: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    InstanceId: id,
    ActivationId: '11111111-1111-4111-8111-111111111111',
    IamRole: 'SSMServiceRole',
    RegistrationDate: new Date(0).toISOString(),
    ResourceType: 'ManagedInstance',
    Tags: [],
    publicKey: Buffer.alloc(32, 1).toString('base64'),
    boxPublicKey: Buffer.alloc(32, 2).toString('base64'),
    brokerPasswordHash: createHash('sha256').update(`password-${id}`).digest('hex'),
    PingStatus: 'Online',
    ...over,
  };
}

/** What an agent says of its host (InstanceRecord.info): a Linux host by default. */
export function hostInfo(computerName: string, over: Partial<NonNullable<InstanceRecord['info']>> = {}): NonNullable<InstanceRecord['info']> {
  return { PlatformType: 'Linux', PlatformName: 'Ubuntu', PlatformVersion: '24.04', AgentVersion: '1.0.0', ComputerName: computerName, IPAddress: '10.0.0.1', ...over };
}
