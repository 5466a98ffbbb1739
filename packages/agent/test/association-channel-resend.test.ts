/**
 * When the agent sends its association reports again: every report the control plane has not acknowledged goes again
 * RESEND_UNACKNOWLEDGED_MS (30 s) after it last went, checked every RESEND_CHECK_MS (5 s), so at most 35 s; all of
 * them at once after a reconnection; none while disconnected, and none once acknowledged. The channel runs on an
 * injected clock here, with a stand-in for the agent's connection and a spool of plain reports: the real wire, broker
 * and agent process are exercised by test/e2e/associations-agent.test.ts, which waits for these resends in real time.
 */
import assert from 'node:assert/strict';
import type { Logger } from '@tender/plugin-api';
import type { AssociationRunReport, Message } from '@tender/protocol';
import { AssociationChannel, RESEND_CHECK_MS, RESEND_UNACKNOWLEDGED_MS } from '../src/associations/association-channel.js';
import type { AssociationScheduler } from '../src/associations/association-scheduler.js';
import type { Clock } from '../src/runner/index.js';
import type { Agent } from '../src/runtime/agent.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Time that moves only when the test moves it; timers fire in order as it passes them. */
class TestClock implements Clock {
  ms = 0;
  private timers: Array<{ at: number; callback: () => void }> = [];

  now(): number {
    return this.ms;
  }

  setTimer(callback: () => void, ms: number): () => void {
    const timer = { at: this.ms + ms, callback };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  }

  async advanceTo(ms: number): Promise<void> {
    for (;;) {
      const next = this.timers.filter((t) => t.at <= ms).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.ms = next.at;
      next.callback();
      await new Promise((resolve) => setImmediate(resolve)); // let a send pass finish
    }
    this.ms = ms;
  }
}

function report(runId: string): AssociationRunReport {
  const at = '2026-11-29T00:00:00.000Z';
  return { runId, associationId: 'a', associationVersion: '1', trigger: 'schedule', scheduledAt: at, status: 'Success', detailedStatus: 'Success', startedAt: at, endedAt: at, responseCode: 0, steps: [] };
}

/** The channel with a stand-in connection (what it sends, and when) and spool. */
function channelBed() {
  const clock = new TestClock();
  const spooled: AssociationRunReport[] = [];
  const handlers = new Map<string, (message: Message) => Promise<void>>();
  const onConnected: Array<() => void> = [];
  const sent: string[] = [];
  const agent = {
    connected: false,
    on: (type: string, handler: (message: Message) => Promise<void>) => handlers.set(type, handler),
    onConnected: (listener: () => void) => onConnected.push(listener),
    send: async (type: string, body: { reports: AssociationRunReport[] }) => {
      sent.push(`${clock.ms / 1000}s ${type} ${body.reports.map((r) => r.runId).join(',')}`);
    },
    reportRejection: () => undefined,
  };
  const scheduler = {
    spool: { pending: () => [...spooled], get size() { return spooled.length; } },
    acknowledge: async (runIds: string[]) => {
      for (const runId of runIds) spooled.splice(spooled.findIndex((r) => r.runId === runId), 1);
    },
  };
  const channel = new AssociationChannel(agent as unknown as Agent, scheduler as unknown as AssociationScheduler, silent, clock);
  return {
    clock,
    channel,
    sent,
    spool: (runId: string) => spooled.push(report(runId)),
    connect: () => {
      agent.connected = true;
      for (const listener of onConnected) listener();
    },
    disconnect: () => (agent.connected = false),
    acknowledge: (...runIds: string[]) => handlers.get('association-status-ack')!({ v: 1, id: 'ack', type: 'association-status-ack', from: 'cp', to: 'mi-1', ts: 0, body: { runIds } }),
    settle: () => new Promise((resolve) => setImmediate(resolve)),
  };
}

describe('agent associations: reports sent again until acknowledged', () => {
  it('resends an unacknowledged report 30 s after it went, checked every 5 s: a report sent just after a check waits 35 s at most, not 60', async () => {
    assert.equal(RESEND_UNACKNOWLEDGED_MS, 30_000);
    assert.equal(RESEND_CHECK_MS, 5_000);
    const bed = channelBed();
    bed.spool('r1');
    bed.connect();
    await bed.settle();
    await bed.clock.advanceTo(1_000);
    bed.connect(); // a reconnection 1 s in: everything goes again at once, just after the check at 0
    await bed.settle();
    await bed.clock.advanceTo(64_000);
    assert.deepEqual(bed.sent, ['0s association-status r1', '1s association-status r1', '35s association-status r1']);
    bed.channel.stop();
  });

  it('sends nothing once acknowledged, nothing while disconnected, and every pending report after the reconnection', async () => {
    const bed = channelBed();
    bed.spool('r1');
    bed.spool('r2');
    bed.connect();
    await bed.settle();
    await bed.acknowledge('r1');
    bed.disconnect();
    await bed.clock.advanceTo(100_000);
    bed.spool('r3');
    bed.connect();
    await bed.settle();
    await bed.clock.advanceTo(120_000);
    assert.deepEqual(bed.sent, ['0s association-status r1,r2', '100s association-status r2,r3']);
    bed.channel.stop();
  });
});
