import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AssociationService } from '../src/associations/index.js';
import { DocumentService } from '../src/documents/index.js';
import { FileStore } from '../src/store/file-store.js';
import { apiError, ManualClock } from './support/operation-harness.js';

describe('Association limits', () => {
  let dir: string;
  let store: FileStore;
  let service: AssociationService;
  const clock = new ManualClock(Date.parse('2026-11-01T00:00:00Z'));
  const input = { Name: 'AWS-RunShellScript', Targets: [{ Key: 'InstanceIds', Values: ['*'] }], Parameters: { commands: ['uptime'] }, ScheduleExpression: 'rate(1 hour)' };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-association-limits-'));
    store = await FileStore.open(dir);
    const documents = await DocumentService.open(store, { now: clock.now });
    service = new AssociationService({ store, resolveDocument: (name, version) => documents.resolve(name, version), instance: () => undefined, now: clock.now, limits: { associations: 2, versions: 3 } });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('AssociationLimitExceeded past the limit; deleting one makes room', async () => {
    const first = await service.create(input);
    await service.create(input);
    await apiError(service.create(input), 'AssociationLimitExceeded', /at most 2 associations/);
    assert.equal((await service.list()).length, 2);
    await service.delete(first.AssociationId);
    await service.create(input);
  });

  it('AssociationVersionLimitExceeded past the versions limit, leaving the association as it was', async () => {
    const { AssociationId: id } = await service.create(input);
    await service.update(id, { ...input, ScheduleExpression: 'rate(2 hours)' });
    await service.update(id, { ...input, ScheduleExpression: 'rate(3 hours)' });
    await apiError(service.update(id, { ...input, ScheduleExpression: 'rate(4 hours)' }), 'AssociationVersionLimitExceeded', /limit of 3 versions/);
    const record = await service.get(id);
    assert.deepEqual(record.versions.map((v) => v.ScheduleExpression), ['rate(1 hour)', 'rate(2 hours)', 'rate(3 hours)']);
  });
});
