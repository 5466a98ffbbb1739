import assert from 'node:assert/strict';
import { SERVER_DEFAULTS, validateServerConfig, type ServerConfig } from '../src/config.js';
import { Counters } from '../src/metrics/counters.js';

function config(over: Partial<ServerConfig> = {}): ServerConfig {
  return { ...SERVER_DEFAULTS, dataDir: '/var/lib/tender', ...over };
}

/** The problems validateServerConfig reports, one per line after the heading; [] when it accepts. */
function problemsOf(c: ServerConfig): string[] {
  try {
    validateServerConfig(c);
    return [];
  } catch (error) {
    assert.ok(error instanceof Error);
    const [heading, ...lines] = error.message.split('\n');
    assert.equal(heading, 'invalid configuration:');
    return lines.map((line) => line.replace(/^ {2}- /, ''));
  }
}

describe('validateServerConfig', () => {
  it('accepts the defaults and other good configurations', () => {
    assert.deepEqual(problemsOf(config()), []);
    assert.deepEqual(problemsOf(config({ httpPort: 0, mqttPort: 0 })), [], 'port 0 picks a free port');
    assert.deepEqual(problemsOf(config({ httpPort: 65535, mqttPort: 8883, region: 'eu-central-1', logLevel: 'debug', heartbeatSeconds: 1 })), []);
    assert.deepEqual(problemsOf(config({ region: 'us-gov-west-1', heartbeatSeconds: 3600, logLevel: 'silent' })), []);
    assert.deepEqual(problemsOf(config({ tlsCertFile: '/etc/tender/cert.pem', tlsKeyFile: '/etc/tender/key.pem' })), []);
    for (const url of ['mqtt://broker:1883', 'mqtts://broker:8883', 'tcp://broker', 'ssl://broker', 'ws://broker/mqtt', 'wss://broker/mqtt']) {
      assert.deepEqual(problemsOf(config({ mqttUrl: url, mqttUsername: 'tender', mqttPassword: 'secret' })), [], url);
    }
  });

  const cases: Array<{ field: string; over: Partial<ServerConfig>; message: RegExp }> = [
    { field: 'http-port', over: { httpPort: -1 }, message: /^http-port must be a port number 0-65535, got -1$/ },
    { field: 'http-port', over: { httpPort: 65536 }, message: /^http-port must be a port number 0-65535, got 65536$/ },
    { field: 'http-port', over: { httpPort: 80.5 }, message: /^http-port .* got 80\.5$/ },
    { field: 'http-port', over: { httpPort: Number.NaN }, message: /^http-port .* got NaN$/ },
    { field: 'http-port', over: { httpPort: '8700' as unknown as number }, message: /^http-port .* got 8700$/ },
    { field: 'mqtt-port', over: { mqttPort: 70000 }, message: /^mqtt-port must be a port number 0-65535, got 70000$/ },
    { field: 'region', over: { region: 'US-EAST-1' }, message: /^region "US-EAST-1" does not look like an AWS region \(e\.g\. us-east-1\)$/ },
    { field: 'region', over: { region: 'useast1' }, message: /^region "useast1"/ },
    { field: 'region', over: { region: '' }, message: /^region ""/ },
    { field: 'log-level', over: { logLevel: 'verbose' }, message: /^log-level must be one of fatal, error, warn, info, debug, trace, silent; got verbose$/ },
    { field: 'heartbeat-seconds', over: { heartbeatSeconds: 0 }, message: /^heartbeat-seconds must be between 1 and 3600$/ },
    { field: 'heartbeat-seconds', over: { heartbeatSeconds: 3601 }, message: /^heartbeat-seconds/ },
    { field: 'heartbeat-seconds', over: { heartbeatSeconds: Number.POSITIVE_INFINITY }, message: /^heartbeat-seconds/ },
    { field: 'tls-cert', over: { tlsCertFile: '/etc/tender/cert.pem' }, message: /^tls-cert and tls-key go together: give both or neither$/ },
    { field: 'tls-key', over: { tlsKeyFile: '/etc/tender/key.pem' }, message: /^tls-cert and tls-key go together/ },
    { field: 'mqtt-url', over: { mqttUrl: 'http://broker:1883', mqttUsername: 'u', mqttPassword: 'p' }, message: /^mqtt-url must be an mqtt:\/\/ or mqtts:\/\/ URL, got http:\/\/broker:1883$/ },
    { field: 'mqtt-url', over: { mqttUrl: 'broker:1883', mqttUsername: 'u', mqttPassword: 'p' }, message: /^mqtt-url must be/ },
    { field: 'mqtt-username', over: { mqttUrl: 'mqtt://broker', mqttPassword: 'p' }, message: /^an external broker \(mqtt-url\) needs mqtt-username and mqtt-password of a privileged client$/ },
    { field: 'mqtt-password', over: { mqttUrl: 'mqtt://broker', mqttUsername: 'u' }, message: /mqtt-username and mqtt-password/ },
  ];

  for (const { field, over, message } of cases) {
    it(`reports a bad ${field} (${JSON.stringify(over)}) by name`, () => {
      const problems = problemsOf(config(over));
      assert.equal(problems.length, 1, `exactly one problem: ${JSON.stringify(problems)}`);
      assert.ok(problems[0]!.includes(field), `the message names ${field}: ${problems[0]}`);
      assert.match(problems[0]!, message);
    });
  }

  it('reports every problem at once', () => {
    const problems = problemsOf(
      config({
        httpPort: -5,
        mqttPort: 99999,
        region: 'mars',
        logLevel: 'loud',
        heartbeatSeconds: 0,
        tlsCertFile: 'cert.pem',
        mqttUrl: 'ftp://broker',
      }),
    );
    assert.equal(problems.length, 8, JSON.stringify(problems, null, 2));
    for (const name of ['http-port', 'mqtt-port', 'region', 'log-level', 'heartbeat-seconds', 'tls-cert', 'mqtt-url', 'mqtt-username']) {
      assert.ok(problems.some((p) => p.includes(name)), `a problem names ${name}`);
    }
  });
});

describe('Counters', () => {
  it('counts per name and label set, whatever the order of the labels', () => {
    const counters = new Counters();
    assert.equal(counters.get('tender_messages_total'), 0);
    counters.inc('tender_messages_total');
    counters.inc('tender_messages_total');
    counters.inc('tender_messages_total', { type: 'result', outcome: 'ok' });
    counters.inc('tender_messages_total', { outcome: 'ok', type: 'result' }, 5);
    counters.inc('tender_messages_total', { type: 'result', outcome: 'dropped' });
    counters.inc('tender_api_calls_total', { operation: 'SendCommand' }, 3);

    assert.equal(counters.get('tender_messages_total'), 2);
    assert.equal(counters.get('tender_messages_total', { outcome: 'ok', type: 'result' }), 6);
    assert.equal(counters.get('tender_messages_total', { type: 'result', outcome: 'ok' }), 6);
    assert.equal(counters.get('tender_messages_total', { type: 'result', outcome: 'dropped' }), 1);
    assert.equal(counters.get('tender_messages_total', { type: 'result' }), 0, 'a label subset is another series');
    assert.equal(counters.get('tender_api_calls_total', { operation: 'SendCommand' }), 3);
    assert.equal(counters.get('tender_unknown_total'), 0);
  });

  it('renders the Prometheus text format', () => {
    const counters = new Counters();
    counters.describe('tender_messages_total', 'MQTT messages handled, by type and outcome.');
    counters.inc('tender_messages_total', { type: 'hello', outcome: 'ok' }, 2);
    counters.inc('tender_messages_total', { type: 'result', outcome: 'bad-signature' });
    counters.inc('tender_restarts_total');
    assert.equal(
      counters.render(),
      [
        '# HELP tender_messages_total MQTT messages handled, by type and outcome.',
        '# TYPE tender_messages_total counter',
        'tender_messages_total{outcome="ok",type="hello"} 2',
        'tender_messages_total{outcome="bad-signature",type="result"} 1',
        '# TYPE tender_restarts_total counter',
        'tender_restarts_total 1',
        '',
      ].join('\n'),
    );
  });

  it('keeps a label value from breaking the format, and still finds its series', () => {
    const counters = new Counters();
    const nasty = 'a"b\\c\nd';
    counters.inc('tender_denied_total', { topic: nasty });
    counters.inc('tender_denied_total', { topic: nasty });
    const text = counters.render();
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 2, `one TYPE line and one sample line: ${JSON.stringify(text)}`);
    assert.match(lines[1]!, /^tender_denied_total\{topic="[^"\\\n]*"\} 2$/);
    assert.equal(counters.get('tender_denied_total', { topic: nasty }), 2);
  });
});
