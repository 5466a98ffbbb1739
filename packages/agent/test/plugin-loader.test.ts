import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGIN_API_VERSION, type Logger, type TransportStatus } from '@tender/plugin-api';
import { loadPlugins } from '../src/index.js';
import { assertPluginError, fixtureImports } from './fixtures/plugin-assertions.js';

// The fixtures are plain JS and JSON, which tsc does not copy: reach them in the source tree from dist/test/.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/plugins');
const fixture = (name: string): string => path.join(FIXTURES, name);
const REPO_ROOT = path.resolve(FIXTURES, '../../../../..');

/** Every fixture's index.js pushes its folder name here when it is imported (i.e. when its code runs). */

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };


describe('agent: plugin loader', () => {
  it('loads a good plugin from a path, and its transport works', async () => {
    const [loaded, ...rest] = await loadPlugins({ paths: [fixture('good-transport')] });
    assert.equal(rest.length, 0);
    assert.ok(loaded);
    assert.equal(loaded.manifest.name, 'tender-fixture-good-transport');
    assert.equal(loaded.manifest.version, '1.0.0');
    assert.deepEqual(loaded.manifest.provides.transports, ['loopback']);
    assert.equal(loaded.dir, fixture('good-transport'));
    assert.ok(fixtureImports().includes('good-transport'));

    const factory = loaded.plugin.transports?.loopback;
    assert.ok(factory, 'the plugin provides the loopback transport');
    const transport = factory.create({ instanceId: 'mi-0123456789abcdef0', settings: {}, logger: silent });
    const statuses: TransportStatus[] = [];
    const received: Uint8Array[] = [];
    transport.onStatus((status) => statuses.push(status));
    transport.onMessage((payload) => received.push(payload));
    transport.start();
    assert.deepEqual(statuses, [{ state: 'connected' }]);
    await transport.send(new Uint8Array([1, 2, 3]));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(received.map((bytes) => [...bytes]), [[1, 2, 3]]);
    await transport.stop();
    await assert.rejects(transport.send(new Uint8Array([4])), /not started/);
  });

  it('loads several plugins in the order given, and a folder given twice (or through a link) only once', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-plugins-'));
    try {
      const link = path.join(dir, 'same-as-good-transport');
      await fs.symlink(fixture('good-transport'), link, 'junction');
      const loaded = await loadPlugins({ paths: [fixture('good-empty'), fixture('good-transport'), fixture('good-transport'), link] });
      assert.deepEqual(loaded.map((p) => p.manifest.name), ['tender-fixture-good-empty', 'tender-fixture-good-transport']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  describe('refuses a bad plugin, naming it and the reason', () => {
    it('a range that does not cover the running API, before importing its code', async () => {
      await assertPluginError(
        loadPlugins({ paths: [fixture('wrong-range')] }),
        'tender-fixture-wrong-range',
        /supports plugin API \^2\.0\.0/,
        new RegExp(`offers ${PLUGIN_API_VERSION.replace(/\./g, '\\.')}`),
      );
      assert.ok(!fixtureImports().includes('wrong-range'), 'its code was not run');
      // The same plugin on a Tender that offers 2.x loads (and only now runs): the import marker works.
      const [loaded] = await loadPlugins({ paths: [fixture('wrong-range')] }, { apiVersion: '2.1.0', platform: process.platform });
      assert.equal(loaded?.manifest.name, 'tender-fixture-wrong-range');
      assert.ok(fixtureImports().includes('wrong-range'));
    });

    it('a plugin for another platform, before importing its code', async function () {
      if (process.platform === 'win32') this.skip(); // the fixture is made for win32
      await assertPluginError(loadPlugins({ paths: [fixture('other-platform')] }), 'tender-fixture-other-platform', new RegExp(`runs on win32, not on ${process.platform}`));
      assert.ok(!fixtureImports().includes('other-platform'), 'its code was not run');
    });

    it('a default export that is not definePlugin({...})', async () => {
      await assertPluginError(loadPlugins({ paths: [fixture('not-defined')] }), 'tender-fixture-not-defined', /does not export default definePlugin\(\{\.\.\.\}\)/, /not-defined[/\\]index\.js/);
    });

    it('a definePlugin() name that differs from the package name', async () => {
      await assertPluginError(loadPlugins({ paths: [fixture('name-mismatch')] }), 'tender-fixture-name-mismatch', /definePlugin\(\) name is tender-fixture-some-other-name, not its package name/);
    });

    it('a transport it exports without declaring it', async () => {
      await assertPluginError(
        loadPlugins({ paths: [fixture('undeclared-transport')] }),
        'tender-fixture-undeclared-transport',
        /provides transport sneaky without declaring it in tender\.provides\.transports/,
      );
    });

    it('an entry that throws when imported, with the error it threw', async () => {
      await assertPluginError(loadPlugins({ paths: [fixture('broken-entry')] }), 'tender-fixture-broken-entry', /its entry .*broken-entry[/\\]index\.js failed to load/, /exploded while being imported/);
    });

    it('a folder that is not a package, naming the folder', async () => {
      const missing = path.join(os.tmpdir(), `tender-no-such-plugin-${process.pid}`);
      await assertPluginError(loadPlugins({ paths: [missing] }), missing, /cannot read .*package\.json/);
    });

    it('a bad plugin among good ones fails the whole load', async () => {
      await assertPluginError(loadPlugins({ paths: [fixture('good-empty'), fixture('name-mismatch')] }), 'tender-fixture-name-mismatch', /not its package name/);
    });
  });

  describe('clashes are refused before any plugin code is imported', () => {
    // In each pair the clashing fixture comes first, so a loader that imported plugins before checking for
    // clashes would have run its code (and set its import marker) by the time the clash is found.
    it('two plugins with the same package name', async () => {
      await assertPluginError(
        loadPlugins({ paths: [fixture('clash-name'), fixture('good-transport')] }),
        'tender-fixture-good-transport',
        /the plugin name tender-fixture-good-transport is already provided by plugin tender-fixture-good-transport/,
        /remove one of them/,
      );
      assert.ok(!fixtureImports().includes('clash-name'), 'the clashing plugin was not imported');
    });

    it('two plugins that provide the same transport', async () => {
      await assertPluginError(
        loadPlugins({ paths: [fixture('clash-transport'), fixture('good-transport')] }),
        'tender-fixture-good-transport',
        /transport loopback is already provided by plugin tender-fixture-clash-transport/,
      );
      assert.ok(!fixtureImports().includes('clash-transport'), 'the clashing plugin was not imported');
      // In the other order, the other one is refused.
      await assertPluginError(
        loadPlugins({ paths: [fixture('good-transport'), fixture('clash-transport')] }),
        'tender-fixture-clash-transport',
        /transport loopback is already provided by plugin tender-fixture-good-transport/,
      );
      assert.ok(!fixtureImports().includes('clash-transport'));
    });
  });

  describe('packages', () => {
    it('loads the bundled @tender/transport-mqtt by package name, providing mqtt', async () => {
      const [loaded, ...rest] = await loadPlugins({ packages: ['@tender/transport-mqtt'] });
      assert.equal(rest.length, 0);
      assert.ok(loaded);
      assert.equal(loaded.manifest.name, '@tender/transport-mqtt');
      assert.deepEqual(loaded.manifest.provides.transports, ['mqtt']);
      assert.equal(await fs.realpath(loaded.dir), await fs.realpath(path.join(REPO_ROOT, 'plugins/transport-mqtt')));
      const mqtt = loaded.plugin.transports?.mqtt;
      assert.ok(mqtt, 'the plugin exports the mqtt transport');
      assert.match(mqtt.description ?? '', /MQTT/);
      // Creating one checks its settings; it does not connect until started.
      assert.throws(() => mqtt.create({ instanceId: 'mi-0123456789abcdef0', settings: {}, logger: silent }), /settings\.url/);
      const transport = mqtt.create({ instanceId: 'mi-0123456789abcdef0', settings: { url: 'mqtt://127.0.0.1:1', username: 'u', password: 'p' }, logger: silent });
      await transport.stop();
    });

    it('refuses a package that is not installed', async () => {
      await assertPluginError(loadPlugins({ packages: ['tender-plugin-does-not-exist'] }), 'tender-plugin-does-not-exist', /is not installed/);
    });

    it('finds tender-plugin-* and @scope/tender-plugin-* packages in a search folder, and nothing else', async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tender-node-modules-'));
      try {
        await fs.mkdir(path.join(dir, '@acme'));
        await fs.symlink(fixture('good-transport'), path.join(dir, 'tender-plugin-loopback'), 'junction');
        await fs.symlink(fixture('good-empty'), path.join(dir, '@acme', 'tender-plugin-empty'), 'junction');
        // Not plugin names: if the loader took these it would fail on the broken entry.
        await fs.symlink(fixture('broken-entry'), path.join(dir, 'left-pad'), 'junction');
        await fs.symlink(fixture('broken-entry'), path.join(dir, '@acme', 'utils'), 'junction');
        const loaded = await loadPlugins({ searchDirs: [dir, path.join(dir, 'no-such-folder')] });
        assert.deepEqual(loaded.map((p) => p.manifest.name).sort(), ['tender-fixture-good-empty', 'tender-fixture-good-transport']);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  });
});
