#!/usr/bin/env node
// `npm run package`: builds the agent's packages into dist-packages/ (ignored by git):
//   tender-agent-<v>.tar.gz     self-contained tree for any platform (Linux, macOS, Windows: no native modules)
//   tender-agent_<v>_all.deb    dpkg-deb;  tender-agent-<v>-1.noarch.rpm  rpmbuild
// Each lays out /opt/tender-agent (launcher + agent with its production dependencies and bundled plugins),
// /etc/tender-agent (agent.env), /var/lib/tender-agent (state, 0700) and the systemd unit.
// Options: --version X (default: the agent's package.json), --formats tar,deb,rpm, --reuse-stage (skip the npm
// install of the staged tree when it exists: the e2e test builds an "upgrade" package this way), --out DIR.
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HERE = path.join(ROOT, 'packaging');
const { values: args } = parseArgs({
  options: {
    version: { type: 'string' },
    formats: { type: 'string', default: 'tar,deb,rpm' },
    'reuse-stage': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(ROOT, 'dist-packages') },
  },
});
const OUT = path.resolve(args.out);
const STAGE = path.join(OUT, 'stage');
const agentPkg = JSON.parse(await fs.readFile(path.join(ROOT, 'packages/agent/package.json'), 'utf8'));
const rootPkg = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8'));
const VERSION = args.version ?? agentPkg.version;
if (!/^\d+\.\d+\.\d+$/.test(VERSION)) throw new Error(`--version must be MAJOR.MINOR.PATCH (dpkg and rpm both order it), not ${VERSION}`);
/** The oldest Node.js the agent runs on: the repository's engines field (">=20.19") is the one place it is said. */
const MIN_NODE = /^>=\s*(\d+\.\d+)/.exec(rootPkg.engines.node)?.[1];
if (!MIN_NODE) throw new Error(`package.json engines.node must read ">=MAJOR.MINOR", not ${rootPkg.engines.node}`);

const run = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
const log = (line) => process.stdout.write(`${line}\n`);

/** Fills @MIN_NODE@ and @NODE_CHECK@ (packaging/node-check.sh) in a template. */
async function render(file, extra = {}) {
  const check = (await fs.readFile(path.join(HERE, 'node-check.sh'), 'utf8')).replaceAll('@MIN_NODE@', MIN_NODE);
  let text = (await fs.readFile(file, 'utf8')).replace('@NODE_CHECK@', () => check.trimEnd());
  for (const [key, value] of Object.entries({ MIN_NODE, VERSION, ...extra })) text = text.replaceAll(`@${key}@`, value);
  return text;
}

/** The unit as the packages ship it: the agent's own systemdUnit() (one source for packages and `service install`). */
async function packagedUnit() {
  const { systemdUnit } = await import(pathToFileURL(path.join(ROOT, 'packages/agent/dist/src/service/systemd-unit.js')).href);
  return systemdUnit({ command: ['/opt/tender-agent/bin/tender-agent'], stateDir: '/var/lib/tender-agent' });
}

/** The @tender/* workspaces the agent needs, found by walking dependencies from packages/agent. */
async function tenderWorkspaces() {
  const byName = new Map();
  for (const pattern of rootPkg.workspaces) {
    const dirs = pattern.endsWith('/*') ? (await fs.readdir(path.join(ROOT, pattern.slice(0, -2)))).map((d) => path.join(pattern.slice(0, -2), d)) : [pattern];
    for (const dir of dirs) {
      const file = path.join(ROOT, dir, 'package.json');
      if (existsSync(file)) byName.set(JSON.parse(await fs.readFile(file, 'utf8')).name, path.join(ROOT, dir));
    }
  }
  const needed = new Map();
  const visit = async (name) => {
    if (needed.has(name)) return;
    const dir = byName.get(name);
    if (!dir) throw new Error(`${name} is not a workspace of this repository`);
    needed.set(name, dir);
    const pkg = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) if (dep.startsWith('@tender/')) await visit(dep);
  };
  await visit('@tender/agent');
  return needed;
}

/**
 * stage/lib: `npm install --omit=dev` of the packed workspaces (what a registry install would give), so the
 * package holds exactly the production dependencies. Needs `npm run build` first (packs take dist/src).
 */
async function stageLib() {
  const lib = path.join(STAGE, 'lib');
  if (args['reuse-stage'] && existsSync(path.join(lib, 'node_modules/@tender/agent/bin/run.js'))) return;
  if (!existsSync(path.join(ROOT, 'packages/agent/dist/src/index.js'))) throw new Error('build first: npm run build');
  await fs.rm(STAGE, { recursive: true, force: true });
  const tarballs = path.join(STAGE, 'tarballs');
  await fs.mkdir(tarballs, { recursive: true });
  // One npm run packs them all (npm's start-up is most of a pack's time).
  const workspaces = [...(await tenderWorkspaces()).keys()];
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tarballs, ...workspaces.flatMap((name) => ['-w', name])], { cwd: ROOT }));
  const dependencies = Object.fromEntries(packed.map((p) => [p.name, `file:../tarballs/${p.filename}`]));
  await fs.mkdir(lib, { recursive: true });
  await fs.writeFile(path.join(lib, 'package.json'), `${JSON.stringify({ name: 'tender-agent-bundle', private: true, version: VERSION, dependencies }, null, 2)}\n`);
  log('installing the agent\'s production dependencies into the staged tree');
  run('npm', ['install', '--omit=dev', '--install-links', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: lib, stdio: ['ignore', 'inherit', 'inherit'] });
  // oclif's manifest (made by `npm run build`) lets a command load only its own module; it is not in "files".
  await fs.copyFile(path.join(ROOT, 'packages/agent/oclif.manifest.json'), path.join(lib, 'node_modules/@tender/agent/oclif.manifest.json'));
  await fs.rm(tarballs, { recursive: true, force: true });
}

/** The /opt/tender-agent tree for VERSION: launchers, lib (agent version stamped), service files, docs. */
async function optTree(dest) {
  await fs.mkdir(path.join(dest, 'bin'), { recursive: true });
  await fs.cp(path.join(STAGE, 'lib'), path.join(dest, 'lib'), { recursive: true, verbatimSymlinks: true });
  const agentJson = path.join(dest, 'lib/node_modules/@tender/agent/package.json');
  const pkg = JSON.parse(await fs.readFile(agentJson, 'utf8'));
  await fs.writeFile(agentJson, `${JSON.stringify({ ...pkg, version: VERSION }, null, 2)}\n`);
  // oclif compares its command manifest's version with package.json's and warns on every command when they differ.
  const manifest = path.join(path.dirname(agentJson), 'oclif.manifest.json');
  if (existsSync(manifest)) {
    const commands = JSON.parse(await fs.readFile(manifest, 'utf8'));
    await fs.writeFile(manifest, `${JSON.stringify({ ...commands, version: VERSION })}\n`);
  }
  await fs.writeFile(path.join(dest, 'bin/tender-agent'), await render(path.join(HERE, 'bin/tender-agent')), { mode: 0o755 });
  await fs.writeFile(path.join(dest, 'bin/tender-agent.cmd'), (await render(path.join(HERE, 'bin/tender-agent.cmd'))).replace(/\r?\n/g, '\r\n'));
  await fs.mkdir(path.join(dest, 'service'), { recursive: true });
  await fs.writeFile(path.join(dest, 'service/tender-agent.service'), await packagedUnit());
  for (const file of ['systemd/backoff.conf', 'agent.env']) await fs.copyFile(path.join(HERE, file), path.join(dest, 'service', path.basename(file)));
  await fs.mkdir(path.join(dest, 'install'), { recursive: true });
  for (const file of ['install.sh', 'install.ps1']) await fs.copyFile(path.join(ROOT, 'install', file), path.join(dest, 'install', file));
  await fs.chmod(path.join(dest, 'install/install.sh'), 0o755);
  await fs.mkdir(path.join(dest, 'docs'), { recursive: true });
  await fs.copyFile(path.join(ROOT, 'docs/install.md'), path.join(dest, 'docs/install.md'));
  await fs.writeFile(path.join(dest, 'VERSION'), `${VERSION}\n`);
}

/** The file-system image both system packages install: /opt, /etc, /var/lib and the unit (Debian keeps units in
 * /lib/systemd/system, the RPM distributions in /usr/lib/systemd/system). */
async function systemImage(dest, unitDir) {
  await optTree(path.join(dest, 'opt/tender-agent'));
  await fs.mkdir(path.join(dest, 'etc/tender-agent'), { recursive: true });
  await fs.copyFile(path.join(HERE, 'agent.env'), path.join(dest, 'etc/tender-agent/agent.env'));
  await fs.mkdir(path.join(dest, 'var/lib'), { recursive: true });
  await fs.mkdir(path.join(dest, 'var/lib/tender-agent'), { mode: 0o700 });
  await fs.mkdir(path.join(dest, unitDir), { recursive: true });
  await fs.writeFile(path.join(dest, unitDir, 'tender-agent.service'), await packagedUnit());
  await fs.mkdir(path.join(dest, 'usr/bin'), { recursive: true });
  await fs.symlink('../../opt/tender-agent/bin/tender-agent', path.join(dest, 'usr/bin/tender-agent'));
}

async function buildTar(work) {
  const top = path.join(work, 'tender-agent');
  await optTree(top);
  const file = path.join(OUT, `tender-agent-${VERSION}.tar.gz`);
  run('tar', ['-czf', file, '--owner=0', '--group=0', '-C', work, 'tender-agent']);
  return file;
}

async function buildDeb(work) {
  const image = path.join(work, 'deb');
  await systemImage(image, 'lib/systemd/system');
  const control = path.join(image, 'DEBIAN');
  await fs.mkdir(control);
  const size = Number(run('du', ['-sk', '--exclude=DEBIAN', image]).split('\t')[0]);
  await fs.writeFile(path.join(control, 'control'), await render(path.join(HERE, 'deb/control'), { SIZE: String(size) }));
  await fs.writeFile(path.join(control, 'conffiles'), '/etc/tender-agent/agent.env\n');
  for (const script of ['preinst', 'postinst', 'prerm', 'postrm']) {
    await fs.writeFile(path.join(control, script), await render(path.join(HERE, 'deb', script)), { mode: 0o755 });
  }
  const file = path.join(OUT, `tender-agent_${VERSION}_all.deb`);
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', image, file]);
  return file;
}

async function buildRpm(work) {
  const top = path.join(work, 'rpm');
  // rpmbuild empties the buildroot before %install, which copies this image into it.
  const image = path.join(top, 'image');
  await systemImage(image, 'usr/lib/systemd/system');
  // rpm expands % in a spec's scriptlets: the shell's ${var%%pattern} must reach sh as written, so %% it.
  const specText = (await render(path.join(HERE, 'rpm/tender-agent.spec'), { IMAGE: image })).replace(/^(%pre\n)([\s\S]*?)(\n%post\n)/m, (_, head, body, tail) => `${head}${body.replaceAll('%', '%%')}${tail}`);
  const spec = path.join(top, 'tender-agent.spec');
  await fs.writeFile(spec, specText);
  run('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, '--define', `_rpmdir ${OUT}`, '--define', '_build_id_links none', '--buildroot', path.join(top, 'BUILDROOT'), spec]);
  const file = path.join(OUT, `tender-agent-${VERSION}-1.noarch.rpm`);
  await fs.rename(path.join(OUT, 'noarch', path.basename(file)), file);
  await fs.rm(path.join(OUT, 'noarch'), { recursive: true, force: true });
  return file;
}

// Package contents get their modes from this process: a caller's umask (a test process running an in-process
// control plane sets 077) must not make /opt/tender-agent or DEBIAN/ private; the state dir is made 0700 explicitly.
process.umask(0o022);
await fs.mkdir(OUT, { recursive: true });
const stageBegan = Date.now();
await stageLib();
log(`staged the agent in ${((Date.now() - stageBegan) / 1000).toFixed(1)} s`);
const builders = { tar: buildTar, deb: buildDeb, rpm: buildRpm };
for (const format of args.formats.split(',')) {
  const builder = builders[format];
  if (!builder) throw new Error(`unknown format ${format} (tar, deb, rpm)`);
  const began = Date.now();
  const work = await fs.mkdtemp(path.join(os.tmpdir(), `tender-package-${format}-`));
  try {
    log(`built ${path.relative(process.cwd(), await builder(work))} in ${((Date.now() - began) / 1000).toFixed(1)} s (Node.js ${MIN_NODE}+ needed on the host)`);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
