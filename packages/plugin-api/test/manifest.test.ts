import assert from 'node:assert/strict';
import {
  checkCompatibility,
  definePlugin,
  isDefinedPlugin,
  parseManifest,
  PLATFORMS,
  PLUGIN_API_VERSION,
  PluginError,
  type PluginManifest,
  type TransportFactory,
} from '../src/index.js';

/** A package.json as a plugin author would write it; each test breaks one thing. */
function pkg(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tender-plugin-example',
    version: '1.2.3',
    type: 'module',
    main: './dist/index.js',
    engines: { tender: '^1.0.0', node: '>=20' },
    tender: { platforms: ['linux', 'darwin'], provides: { transports: ['example'], actions: ['aws:runExample'] } },
    ...overrides,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Assert `fn` throws a PluginError for `plugin` whose message matches every pattern. */
function assertPluginError(fn: () => unknown, plugin: string, ...patterns: RegExp[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof PluginError, `expected a PluginError, got ${String(error)}`);
    assert.equal(error.plugin, plugin);
    assert.ok(error.message.startsWith(`plugin ${plugin}: `), `the message names the plugin: ${error.message}`);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

describe('plugin-api: parseManifest', () => {
  it('reads a valid manifest: name, version, range, platforms, provides and main', () => {
    const manifest = parseManifest(pkg(), '/opt/plugins/example');
    assert.deepEqual(manifest, {
      name: 'tender-plugin-example',
      version: '1.2.3',
      apiRange: '^1.0.0',
      platforms: ['linux', 'darwin'],
      provides: { transports: ['example'], actions: ['aws:runExample'], patchProviders: [] },
      main: './dist/index.js',
    });
  });

  it('defaults: every platform, nothing provided, main index.js; tender.main wins over main', () => {
    const bare = parseManifest(pkg({ main: undefined, tender: {} }), '/p');
    assert.deepEqual(bare.platforms, [...PLATFORMS]);
    assert.deepEqual(bare.provides, { transports: [], actions: [], patchProviders: [] });
    assert.equal(bare.main, 'index.js');
    assert.equal(parseManifest(pkg({ tender: { main: 'plugin.js' } }), '/p').main, 'plugin.js');
  });

  it('a package.json that is not an object is refused, naming where it came from', () => {
    assertPluginError(() => parseManifest(null, '/opt/plugins/nothing'), '/opt/plugins/nothing', /not an object/);
    assertPluginError(() => parseManifest('{}', '/opt/plugins/text'), '/opt/plugins/text', /not an object/);
  });

  it('a missing name is refused, naming where the package came from', () => {
    assertPluginError(() => parseManifest(pkg({ name: undefined }), '/opt/plugins/anon'), '/opt/plugins/anon', /has no name/);
    assertPluginError(() => parseManifest(pkg({ name: '' }), '/opt/plugins/anon'), '/opt/plugins/anon', /has no name/);
  });

  it('a missing or non-semver version is refused', () => {
    assertPluginError(() => parseManifest(pkg({ version: undefined }), '/p'), 'tender-plugin-example', /version undefined is not a semver version/);
    assertPluginError(() => parseManifest(pkg({ version: '1.2' }), '/p'), 'tender-plugin-example', /version "1\.2" is not a semver version/);
  });

  it('a missing engines.tender (or engines) is refused with what the field means', () => {
    assertPluginError(() => parseManifest(pkg({ engines: { node: '>=20' } }), '/p'), 'tender-plugin-example', /no engines\.tender range/, /plugin API/);
    assertPluginError(() => parseManifest(pkg({ engines: undefined }), '/p'), 'tender-plugin-example', /no engines\.tender range/);
  });

  it('an engines.tender that is not a semver range is refused', () => {
    for (const range of ['banana', '>>1.0.0', '^1.0.0 ||| 2']) {
      assertPluginError(() => parseManifest(pkg({ engines: { tender: range } }), '/p'), 'tender-plugin-example', new RegExp(`engines\\.tender ${escapeRegExp(JSON.stringify(range))} is not a semver range`));
    }
  });

  it('a package without a tender block is refused as not a Tender plugin', () => {
    assertPluginError(() => parseManifest(pkg({ tender: undefined }), '/p'), 'tender-plugin-example', /no "tender" block/, /not a Tender plugin/);
    assertPluginError(() => parseManifest(pkg({ tender: null }), '/p'), 'tender-plugin-example', /no "tender" block/);
  });

  it('an unknown platform is refused, listing the known ones', () => {
    assertPluginError(
      () => parseManifest(pkg({ tender: { platforms: ['linux', 'freebsd'] } }), '/p'),
      'tender-plugin-example',
      /tender\.platforms has "freebsd"/,
      /known platforms are linux, darwin, win32/,
    );
    assertPluginError(() => parseManifest(pkg({ tender: { platforms: 'linux' } }), '/p'), 'tender-plugin-example', /tender\.platforms must be a list/);
  });

  it('provides lists must be lists of non-empty strings', () => {
    assertPluginError(() => parseManifest(pkg({ tender: { provides: { transports: 'mqtt' } } }), '/p'), 'tender-plugin-example', /tender\.provides\.transports must be a list of non-empty strings/);
    assertPluginError(() => parseManifest(pkg({ tender: { provides: { transports: [''] } } }), '/p'), 'tender-plugin-example', /tender\.provides\.transports/);
    assertPluginError(() => parseManifest(pkg({ tender: { provides: { actions: [42] } } }), '/p'), 'tender-plugin-example', /tender\.provides\.actions must be a list/);
    const manifest = parseManifest(pkg({ tender: { provides: { transports: ['a', 'b'] } } }), '/p');
    assert.deepEqual(manifest.provides, { transports: ['a', 'b'], actions: [], patchProviders: [] });
    assert.deepEqual(parseManifest(pkg({ tender: { provides: { patchProviders: ['apt'] } } }), '/p').provides.patchProviders, ['apt']);
    assertPluginError(() => parseManifest(pkg({ tender: { provides: { patchProviders: 'apt' } } }), '/p'), 'tender-plugin-example', /tender\.provides\.patchProviders must be a list/);
  });

  it('reads the operating systems each patch provider serves, so the agent can pass over one without importing it', () => {
    const provides = (extra: Record<string, unknown>) => pkg({ tender: { provides: { patchProviders: ['apt', 'dnf'], ...extra } } });
    const manifest = parseManifest(provides({ patchProviderOperatingSystems: { apt: ['DEBIAN', 'UBUNTU'] } }), '/p');
    assert.deepEqual(manifest.provides.patchProviderOperatingSystems, { apt: ['DEBIAN', 'UBUNTU'] });
    assert.equal('patchProviderOperatingSystems' in parseManifest(provides({}), '/p').provides, false, 'absent stays absent (a manifest from before the field)');
    assertPluginError(() => parseManifest(provides({ patchProviderOperatingSystems: ['DEBIAN'] }), '/p'), 'tender-plugin-example', /patchProviderOperatingSystems must be an object/);
    assertPluginError(() => parseManifest(provides({ patchProviderOperatingSystems: { zypper: ['SUSE'] } }), '/p'), 'tender-plugin-example', /names zypper, which tender\.provides\.patchProviders does not list/);
    assertPluginError(() => parseManifest(provides({ patchProviderOperatingSystems: { apt: ['DEBIAN', 'Debian'] } }), '/p'), 'tender-plugin-example', /patchProviderOperatingSystems\.apt has "Debian"; known operating systems are WINDOWS, /);
    assertPluginError(() => parseManifest(provides({ patchProviderOperatingSystems: { apt: [] } }), '/p'), 'tender-plugin-example', /patchProviderOperatingSystems\.apt is empty/);
    assertPluginError(() => parseManifest(provides({ patchProviderOperatingSystems: { apt: 'DEBIAN' } }), '/p'), 'tender-plugin-example', /patchProviderOperatingSystems\.apt must be a list/);
  });
});

describe('plugin-api: checkCompatibility', () => {
  const manifest = (overrides: Partial<PluginManifest> = {}): PluginManifest => ({
    name: 'tender-plugin-example',
    version: '1.2.3',
    apiRange: '^1.0.0',
    platforms: ['linux'],
    provides: { transports: [], actions: [] },
    main: 'index.js',
    ...overrides,
  });

  it('accepts a plugin whose range covers the running API on its platform', () => {
    assert.doesNotThrow(() => checkCompatibility(manifest(), { apiVersion: PLUGIN_API_VERSION, platform: 'linux' }));
    assert.doesNotThrow(() => checkCompatibility(manifest({ apiRange: '>=1.0.0 <3' }), { apiVersion: '2.5.0', platform: 'linux' }));
  });

  it('a prerelease of the API counts as that version (a 1.1.0 beta runs ^1.0.0 plugins)', () => {
    assert.doesNotThrow(() => checkCompatibility(manifest(), { apiVersion: '1.1.0-beta.1', platform: 'linux' }));
  });

  it('refuses a range that does not cover the running API, naming the plugin, its range and the running version', () => {
    assertPluginError(
      () => checkCompatibility(manifest({ apiRange: '^2.0.0' }), { apiVersion: PLUGIN_API_VERSION, platform: 'linux' }),
      'tender-plugin-example',
      /supports plugin API \^2\.0\.0/,
      new RegExp(`this Tender offers ${escapeRegExp(PLUGIN_API_VERSION)}`),
    );
    assertPluginError(
      () => checkCompatibility(manifest({ apiRange: '~1.0.0' }), { apiVersion: '1.1.0', platform: 'linux' }),
      'tender-plugin-example',
      /supports plugin API ~1\.0\.0, but this Tender offers 1\.1\.0/,
    );
  });

  it('refuses a plugin made for other platforms, naming the plugin and its platforms', () => {
    assertPluginError(
      () => checkCompatibility(manifest({ platforms: ['win32', 'darwin'] }), { apiVersion: PLUGIN_API_VERSION, platform: 'linux' }),
      'tender-plugin-example',
      /runs on win32, darwin, not on linux/,
    );
  });

  it('checks the range before the platform', () => {
    assertPluginError(
      () => checkCompatibility(manifest({ apiRange: '^9.0.0', platforms: ['win32'] }), { apiVersion: '1.0.0', platform: 'linux' }),
      'tender-plugin-example',
      /supports plugin API \^9\.0\.0/,
    );
  });
});

describe('plugin-api: definePlugin / isDefinedPlugin', () => {
  const transport: TransportFactory = {
    create: () => {
      throw new Error('not used');
    },
  };

  it('marks a definition so isDefinedPlugin recognises it, keeping its fields', () => {
    const plugin = definePlugin({ name: 'tender-plugin-example', transports: { example: transport } });
    assert.equal(isDefinedPlugin(plugin), true);
    assert.equal(plugin.name, 'tender-plugin-example');
    assert.equal(plugin.transports?.example, transport);
  });

  it('returns a frozen copy and leaves the author\'s object alone', () => {
    const definition = { name: 'tender-plugin-example' };
    const plugin = definePlugin(definition);
    assert.ok(Object.isFrozen(plugin));
    assert.notEqual(plugin, definition);
    assert.equal(isDefinedPlugin(definition), false);
  });

  it('refuses a definition without a name', () => {
    assert.throws(() => definePlugin({ name: '' }), (error: unknown) => error instanceof TypeError && /non-empty name/.test(error.message));
    assert.throws(() => definePlugin(undefined as unknown as { name: string }), TypeError);
  });

  it('does not take plain objects, primitives, or a look-alike without the mark for plugins', () => {
    for (const value of [undefined, null, 0, 'tender-plugin-example', { name: 'x' }, { name: 'x', transports: {} }, [definePlugin({ name: 'x' })]]) {
      assert.equal(isDefinedPlugin(value), false, `${JSON.stringify(value)} is not a plugin`);
    }
  });

  it('recognises the mark from another copy of plugin-api (the mark is a registered symbol)', () => {
    assert.equal(isDefinedPlugin({ name: 'x', [Symbol.for('tender.plugin')]: true }), true);
    assert.equal(isDefinedPlugin({ name: 'x', [Symbol('tender.plugin')]: true }), false);
  });
});
