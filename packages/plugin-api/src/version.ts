/** The version of the plugin API this build of Tender offers. Plugins declare the range they support in
 * `engines.tender` of their package.json; the loader checks it with semver before importing them. */
export const PLUGIN_API_VERSION = '1.0.0';

export type Platform = 'linux' | 'darwin' | 'win32';
export const PLATFORMS: readonly Platform[] = ['linux', 'darwin', 'win32'];
