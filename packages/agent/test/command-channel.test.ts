import assert from 'node:assert/strict';
import { createMessage, type Message } from '@tender/protocol';
import { CommandChannel } from '../src/run-command/command-channel.js';
import type { CommandRunner, StepResult } from '../src/runner/index.js';
import type { Agent } from '../src/runtime/agent.js';

/** Just enough of Agent and CommandRunner to drive the channel: what it sends, what it asks the runner. */
function harness(cancelOutcome: 'unknown' | 'cancelling', duringAccept: (channel: CommandChannel, commandId: string) => void = () => undefined) {
  const handlers = new Map<string, (message: Message) => Promise<void> | void>();
  const sent: Array<{ type: string; body: Record<string, unknown> }> = [];
  const accepted: string[] = [];
  const agent = {
    on: (type: string, handler: (message: Message) => Promise<void> | void) => handlers.set(type, handler),
    onConnected: () => undefined,
    send: async (type: string, body: Record<string, unknown>) => void sent.push({ type, body }),
  } as unknown as Agent;
  const runner = {
    cancel: async () => cancelOutcome,
    accept: async (command: { commandId: string }) => {
      accepted.push(command.commandId);
      duringAccept(channel, command.commandId);
      return 'accepted';
    },
    pendingResults: async () => [],
    ackResult: async () => undefined,
  } as unknown as CommandRunner;
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const channel: CommandChannel = new CommandChannel(agent, runner, { endpoint: 'http://127.0.0.1:1', instanceId: 'mi-00000000000000001', secretKey: new Uint8Array(64) }, logger);
  const deliver = (type: string, body: unknown) => handlers.get(type)?.(createMessage({ type, from: 'cp', to: 'mi-00000000000000001', body }));
  return { sent, accepted, deliver, channel };
}

describe('CommandChannel', () => {
  it('acknowledges a command only after the runner has taken it', async () => {
    const h = harness('cancelling');
    await h.deliver('command', { commandId: 'c-1', documentName: 'D', documentVersion: '1', document: {}, parameters: {} });
    assert.deepEqual(h.accepted, ['c-1']);
    assert.deepEqual(h.sent, [{ type: 'command-ack', body: { commandId: 'c-1', accepted: 'new' } }]);
  });

  it('sends the progress a command reports while it is being accepted with its acknowledgement, not on its own', async () => {
    const stepOf = (status: 'InProgress' | 'Success'): StepResult => ({ name: 's', action: 'aws:runShellScript', status, statusDetails: status, responseCode: -1, runs: 1, stdout: { preview: '', truncated: false, bytes: 0, file: '/o' }, stderr: { preview: '', truncated: false, bytes: 0, file: '/e' } });
    // The run starts at once: its first step is InProgress before accept() resolves, as in the runner.
    const h = harness('cancelling', (channel, commandId) => channel.progress({ commandId, status: 'InProgress', statusDetails: 'InProgress', rebooting: false, steps: [stepOf('InProgress')] }));
    await h.deliver('command', { commandId: 'c-2', documentName: 'D', documentVersion: '1', document: {}, parameters: {} });
    assert.deepEqual(h.sent, [
      { type: 'command-ack', body: { commandId: 'c-2', accepted: 'new', steps: [{ name: 's', action: 'aws:runShellScript', status: 'InProgress', statusDetails: 'InProgress', responseCode: -1, stdout: { preview: '', bytes: 0 }, stderr: { preview: '', bytes: 0 } }] } },
    ]);
    // Once acknowledged, progress goes as command-status again.
    h.channel.progress({ commandId: 'c-2', status: 'InProgress', statusDetails: 'InProgress', rebooting: false, steps: [stepOf('Success')] });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(h.sent.slice(1).map((m) => [m.type, (m.body.steps as Array<{ status: string }>)[0]?.status]), [['command-status', 'Success']]);
  });

  it('answers a cancel for a command it never received with Cancelled, and refuses that command when it turns up', async () => {
    const h = harness('unknown');
    await h.deliver('cancel', { commandId: 'late-1' });
    assert.deepEqual(h.sent.map((m) => [m.type, m.body.status]), [['command-result', 'Cancelled']]);
    await h.deliver('command', { commandId: 'late-1', documentName: 'D', documentVersion: '1', document: {}, parameters: {} });
    assert.deepEqual(h.accepted, [], 'the cancelled command is never run');
    assert.deepEqual(h.sent.slice(1).map((m) => [m.type, m.body.accepted ?? m.body.status]), [['command-ack', 'duplicate'], ['command-result', 'Cancelled']]);
  });
});
