/** The two registered hosts the State Manager tests target (by tag and by id), at the tests' fixed start time. */
import type { InstanceRecord } from '../../src/instances/instance-registry.js';
import { instanceRecord } from './instance-records.js';

export const T0 = Date.parse('2026-11-01T12:00:00Z');
export const WEB = 'mi-0123456789abcdef1';
export const DB = 'mi-0123456789abcdef2';

export function instance(id: string, tags: Array<{ Key: string; Value: string }>): InstanceRecord {
  return instanceRecord(id, { RegistrationDate: new Date(T0).toISOString(), Tags: tags });
}
