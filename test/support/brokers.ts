import { mosquittoAvailable, startMosquitto, type MosquittoInstance } from './mosquitto.js';

export type BrokerKind = 'embedded' | 'mosquitto';
export const BROKERS: BrokerKind[] = ['embedded', 'mosquitto'];

/**
 * For suites that run once per broker: start a Mosquitto when asked. Without Mosquitto installed the suite
 * is skipped with a note, except in CI (CI=true), where .ci/run installs it and its absence is a failure.
 */
export async function brokerFor(kind: BrokerKind, context: Mocha.Context): Promise<MosquittoInstance | undefined> {
  if (kind === 'embedded') return undefined;
  if (!mosquittoAvailable()) {
    if (process.env.CI) throw new Error('Mosquitto is not installed, and CI must run the Mosquitto suites (.ci/run installs it)');
    console.log('      (skipped: Mosquitto is not installed here; apt-get install mosquitto mosquitto-clients)');
    context.skip();
  }
  return startMosquitto();
}
