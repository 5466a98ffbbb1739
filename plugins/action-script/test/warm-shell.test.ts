import assert from 'node:assert/strict';
import { spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { warmShellSpawner } from '../src/warm-shell.js';

const unix = process.platform !== 'win32';

interface Ran {
  out: string;
  code: number | null;
  pid: number;
}

/**
 * A step's process started from a warm shell is the process spawn would have started: same command, folder,
 * environment (values as data), input, process group and exit code; only the fork happened earlier.
 */
(unix ? describe : describe.skip)('action-script: warm shell', function () {
  this.timeout(20_000);
  let dir: string;
  const started: string[][] = [];
  const spawner = warmShellSpawner((command, args, options) => {
    started.push([command, ...args]);
    return spawn(command, args, options);
  });
  const options = (env: Record<string, string>): SpawnOptions => ({ cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const run = (script: string, env: Record<string, string>): Promise<Ran> =>
    new Promise((resolve, reject) => {
      const child = spawner('/bin/sh', ['-c', script], options(env));
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('error', reject);
      child.once('spawn', () => child.once('close', (code) => resolve({ out, code, pid: child.pid! })));
    });
  /** What was forked for steps (warm shells being made do not count). */
  const stepForks = () => started.filter((argv) => argv.join(' ') !== '/bin/sh -s');
  const warmedUp = async () => {
    const deadline = Date.now() + 5000;
    while (!started.some((argv) => argv.join(' ') === '/bin/sh -s')) {
      if (Date.now() > deadline) throw new Error('no warm shell was started');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    started.splice(0);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let it reach its read
  };

  before(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'tender-warm-shell-')));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('gives the step the folder, environment, input, process group and exit code a spawn gives', async () => {
    const tricky = `it's $(touch ${dir}/pwned) \`id\` "q"\nsecond line \\ $HOME`;
    const env: Record<string, string> = { ...(process.env as Record<string, string>), SSM_value: tricky, AWS_SSM_INSTANCE_ID: 'mi-0123456789abcdef0' };
    delete env.HOME;
    const script = 'echo "pgid=$(ps -o pgid= -p $$ | tr -d " ") pid=$$"; pwd; cat; printf "[%s]\\n" "$SSM_value"; echo --env--; env | grep -v "^_=" | sort; exit 7';
    const cold = await run(script, env);
    assert.deepEqual(stepForks(), [['/bin/sh', '-c', script]], 'the first step forks as usual');
    await warmedUp();
    const warm = await run(script, env);
    assert.deepEqual(stepForks(), [], 'the second step took the warm shell: nothing forked for it');
    for (const ran of [cold, warm]) {
      assert.equal(ran.code, 7);
      assert.match(ran.out, new RegExp(`^pgid=${ran.pid} pid=${ran.pid}\n${dir}\n`), 'its own process group, in the step folder, input empty');
    }
    const envOf = (ran: Ran) => ran.out.split('--env--\n')[1];
    assert.equal(envOf(warm), envOf(cold), 'the same environment');
    assert.ok(warm.out.includes(`\n[${tricky}]\n--env--\n`), 'the value arrived as it was');
    assert.ok(!/\nHOME=/.test(envOf(warm)), 'a variable the step does not have is not there');
    assert.equal(existsSync(path.join(dir, 'pwned')), false, 'nothing in a value ran');
  });

  it('spawns as usual what it cannot pass through a shell, and when no warm shell is ready', async () => {
    await warmedUp();
    const odd = await run('echo "$0"', { ...(process.env as Record<string, string>), 'not-a-shell-name': 'x' });
    assert.equal(odd.code, 0);
    assert.deepEqual(stepForks(), [['/bin/sh', '-c', 'echo "$0"']], 'a name sh cannot export: an ordinary spawn');
    started.splice(0);
    const [first, second] = await Promise.all([run('exit 3', process.env as Record<string, string>), run('exit 4', process.env as Record<string, string>)]);
    assert.deepEqual([first.code, second.code], [3, 4]);
    assert.deepEqual(stepForks(), [['/bin/sh', '-c', 'exit 4']], 'one took the warm shell, the other was spawned');
  });
});
