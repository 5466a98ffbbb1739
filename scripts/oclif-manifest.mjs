// Write oclif.manifest.json for the CLIs after they are compiled, as `oclif manifest` would: with it, a command
// run loads only its own module instead of every command's (less start-up time and resident memory, which
// matters for the long-running `tender-agent start`).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const pkg of ['packages/agent', 'packages/cli']) {
  const dir = path.join(root, pkg);
  const plugin = new Plugin({ root: dir, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
  await plugin.load();
  await writeFile(path.join(dir, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
}
