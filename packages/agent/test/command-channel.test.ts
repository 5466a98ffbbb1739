import assert from 'node:assert/strict';
import { createMessage, type Message } from '@tender/protocol';
import { CommandChannel } from '../src/run-command/command-channel.js';
import type { CommandResult, CommandRunner, StepResult } from '../src/runner/index.js';
import type { Agent } from '../src/runtime/agent.js';

/** Just enough of Agent and CommandRunner to drive the channel: what it sends, what it asks the runner. */
function harness(cancelOutcome: 'unknown' | 'cancelling', duringAccept: (channel: CommandChannel, commandId: string) => void = () => undefined, ackHoldMs = 0) {
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
  const channel: CommandChannel = new CommandChannel(agent, runner, { endpoint: 'http://127.0.0.1:1', instanceId: 'mi-00000000000000001', secretKey: new Uint8Array(64) }, logger, ackHoldMs);
  const deliver = (type: string, body: unknown) => handlers.get(type)?.(createMessage({ type, from: 'cp', to: 'mi-00000000000000001', body }));
  return { sent, accepted, deliver, channel };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stepOf = (status: 'InProgress' | 'Success'): StepResult => ({ name: 's', action: 'aws:runShellScript', status, statusDetails: status, responseCode: -1, runs: 1, stdout: { preview: '', truncated: false, bytes: 0, file: '/o' }, stderr: { preview: '', truncated: false, bytes: 0, file: '/e' } });
const wireStep = (status: 'InProgress' | 'Success') => ({ name: 's', action: 'aws:runShellScript', status, statusDetails: status, responseCode: -1, stdout: { preview: '', bytes: 0 }, stderr: { preview: '', bytes: 0 } });
const resultOf = (commandId: string): CommandResult => ({ commandId, documentName: 'D', status: 'Success', statusDetails: 'Success', responseCode: 0, endedAt: new Date().toISOString(), steps: [stepOf('Success')] });
const command = (commandId: string) => ({ commandId, documentName: 'D', documentVersion: '1', document: {}, parameters: {} });

describe('CommandChannel', () => {
  it('acknowledges a command only after the runner has taken it', async () => {
    const h = harness('cancelling');
    await h.deliver('command', command('c-1'));
    assert.deepEqual(h.accepted, ['c-1']);
    await sleep(5); // the hold: 0 ms here
    assert.deepEqual(h.sent, [{ type: 'command-ack', body: { commandId: 'c-1', accepted: 'new' } }]);
  });

  it('sends the progress a command reports while it is being accepted with its acknowledgement, not on its own', async () => {
    // The run starts at once: its first step is InProgress before accept() resolves, as in the runner.
    const h = harness('cancelling', (channel, commandId) => channel.progress({ commandId, status: 'InProgress', statusDetails: 'InProgress', rebooting: false, steps: [stepOf('InProgress')] }));
    await h.deliver('command', command('c-2'));
    await sleep(5);
    assert.deepEqual(h.sent, [{ type: 'command-ack', body: { commandId: 'c-2', accepted: 'new', steps: [wireStep('InProgress')] } }]);
    // Once acknowledged, progress goes as command-status again.
    h.channel.progress({ commandId: 'c-2', status: 'InProgress', statusDetails: 'InProgress', rebooting: false, steps: [stepOf('Success')] });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(h.sent.slice(1).map((m) => [m.type, (m.body.steps as Array<{ status: string }>)[0]?.status]), [['command-status', 'Success']]);
  });

  it('holds back a new command\'s acknowledgement, and sends none when the result is ready first', async () => {
    const h = harness('cancelling', undefined, 200);
    await h.deliver('command', command('c-3'));
    assert.equal(h.sent.length, 0, 'nothing yet: the acknowledgement is held');
    h.channel.result(resultOf('c-3'));
    await sleep(300);
    assert.deepEqual(h.sent.map((m) => [m.type, m.body.status]), [['command-result', 'Success']], 'the result answers for the acknowledgement');
  });

  it('sends a held acknowledgement after the hold, with the latest progress and no command-status beside it', async () => {
    const h = harness('cancelling', undefined, 50);
    await h.deliver('command', command('c-4'));
    h.channel.progress({ commandId: 'c-4', status: 'InProgress', statusDetails: 'InProgress', rebooting: false, steps: [stepOf('InProgress')] });
    h.channel.progress({ commandId: 'c-4', status: 'InProgress', statusDetails: 'InProgress', rebooting: false, steps: [stepOf('Success')] });
    assert.equal(h.sent.length, 0, 'nothing yet: the acknowledgement is held');
    await sleep(150);
    assert.deepEqual(h.sent, [{ type: 'command-ack', body: { commandId: 'c-4', accepted: 'new', steps: [wireStep('Success')] } }]);
  });

  it('sends a held acknowledgement at once, ahead of the progress, when the host is about to reboot', async () => {
    const h = harness('cancelling', undefined, 10_000);
    await h.deliver('command', command('c-5'));
    h.channel.progress({ commandId: 'c-5', status: 'InProgress', statusDetails: 'InProgress', rebooting: true, steps: [stepOf('InProgress')] });
    await sleep(20);
    assert.deepEqual(h.sent.map((m) => [m.type, m.body.accepted ?? m.body.status]), [['command-ack', 'new'], ['command-status', 'InProgress']]);
    h.channel.stop();
  });

  it('answers a cancel for a command it never received with Cancelled, and refuses that command when it turns up', async () => {
    const h = harness('unknown');
    await h.deliver('cancel', { commandId: 'late-1' });
    assert.deepEqual(h.sent.map((m) => [m.type, m.body.status]), [['command-result', 'Cancelled']]);
    await h.deliver('command', command('late-1'));
    assert.deepEqual(h.accepted, [], 'the cancelled command is never run');
    assert.deepEqual(h.sent.slice(1).map((m) => [m.type, m.body.accepted ?? m.body.status]), [['command-ack', 'duplicate'], ['command-result', 'Cancelled']]);
  });
});
