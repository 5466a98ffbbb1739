import assert from 'node:assert/strict';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scriptSpawnOptions } from '../src/script-process.js';
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
  const { spawner, started, warmedUp } = watchedSpawner();
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

/**
 * A script's shell prepared ahead (prepareScript) runs the script only when its spawn comes, as `sh <path>` would,
 * and runs nothing of it when the spawn does not come: not on a different spawn, not when the agent goes away.
 */
(unix ? describe : describe.skip)('action-script: a shell prepared while the step is saved', function () {
  this.timeout(20_000);
  let dir: string;
  const { spawner, started, warmedUp } = watchedSpawner();
  const finish = (child: ChildProcess): Promise<{ out: string; code: number | null }> =>
    new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ out, code }));
    });

  before(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'tender-gated-shell-')));
    // A cold first step makes the first warm shell.
    await finish(spawner('/bin/sh', ['-c', 'true'], scriptSpawnOptions(dir, process.env as Record<string, string>)));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('runs the script written after it was prepared, in a folder made after it, with $0, environment and `set -e` as `sh <path>` gives them', async () => {
    await warmedUp();
    const folder = path.join(dir, 'made-later');
    const script = path.join(folder, 'prepared.sh');
    const env = { ...(process.env as Record<string, string>), SSM_value: "it's $(id)", OLDPWD: '/somewhere/before' };
    const options = scriptSpawnOptions(folder, env);
    spawner.prepareScript(script, options);
    await new Promise((resolve) => setTimeout(resolve, 100)); // it has long exec'd by now, and waits
    // Made only now, as the runner makes the step's folders and run() writes the script after the record's save.
    await fs.mkdir(folder);
    await fs.writeFile(script, 'echo "0=$0 #=$# pwd=$(pwd) PWD=$PWD OLDPWD=$OLDPWD v=[$SSM_value] fds=$(ls /proc/$$/fd | wc -l)"\nread x || echo "input is empty"\nenv | grep -v "^_=" | sort\nset -e\nfalse\necho "not reached"\n', { mode: 0o700 });
    const viaGate = await finish(spawner('/bin/sh', [script], options));
    assert.deepEqual(started, [], 'nothing was forked: the prepared shell ran it');
    const plain = await finish(spawn('/bin/sh', [script], options));
    assert.equal(viaGate.code, 1, '`set -e` and `false` end it with 1');
    assert.equal(viaGate.out, plain.out, 'the same output as a plain `sh <path>`: environment and descriptors included');
    assert.match(viaGate.out, new RegExp(`^0=${script} #=0 pwd=${folder} PWD=${folder} OLDPWD=/somewhere/before v=\\[it's \\$\\(id\\)\\] fds=\\d+\ninput is empty\n`));
  });

  it('runs nothing when a different spawn comes, or none: the prepared shell exits having read no script', async () => {
    await warmedUp();
    const marker = path.join(dir, 'ran');
    const script = path.join(dir, 'never.sh');
    await fs.writeFile(script, `touch ${marker}\n`, { mode: 0o700 });
    spawner.prepareScript(script, scriptSpawnOptions(dir, process.env as Record<string, string>));
    // The same script with another environment is another spawn: it starts the usual way, and the prepared one is shut.
    const other = await finish(spawner('/bin/sh', ['-c', 'echo other'], scriptSpawnOptions(dir, { ...(process.env as Record<string, string>), X: '1' })));
    assert.equal(other.out, 'other\n');
    assert.equal(existsSync(marker), false);
  });

  it('runs nothing when the agent is killed before the spawn: the prepared shell reads end-of-file and exits', async () => {
    const marker = path.join(dir, 'orphan-ran');
    const script = path.join(dir, 'orphan.sh');
    await fs.writeFile(script, `touch ${marker}\n`, { mode: 0o700 });
    const moduleUrl = (file: string) => JSON.stringify(new URL(file, import.meta.url).href);
    // A process standing for the agent: it prepares the script's shell, says which process that is, and waits.
    const agentCode = `
      import { spawn } from 'node:child_process';
      import { warmShellSpawner } from ${moduleUrl('../src/warm-shell.js')};
      import { scriptSpawnOptions } from ${moduleUrl('../src/script-process.js')};
      let shell;
      const spawner = warmShellSpawner((command, args, options) => {
        const child = spawn(command, args, options);
        if (args[0] === '-s') shell = child;
        return child;
      });
      const options = scriptSpawnOptions(${JSON.stringify(dir)}, process.env);
      spawner('/bin/sh', ['-c', 'true'], options).once('close', () => setTimeout(() => {
        spawner.prepareScript(${JSON.stringify(script)}, options);
        console.log(shell.pid);
        setInterval(() => undefined, 1000);
      }, 200));
    `;
    const agent = spawn(process.execPath, ['--input-type=module', '-e', agentCode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      agent.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      agent.once('exit', (code) => reject(new Error(`the stand-in agent exited with ${code}`)));
    });
    assert.ok(pid > 0 && isRunning(pid), 'the prepared shell waits at its gate');
    agent.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (isRunning(pid)) {
      if (Date.now() > deadline) throw new Error(`the prepared shell ${pid} is still there 5 s after its agent died`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(existsSync(marker), false, 'none of the script ran');
  });
});

/**
 * A warm-shell spawner over node's spawn that notes every process it forks (`started`), and `warmedUp()`: resolves
 * once a warm shell has been made and waits at its read, forgetting what was noted so far.
 */
function watchedSpawner() {
  const started: string[][] = [];
  const spawner = warmShellSpawner((command, args, options) => {
    started.push([command, ...args]);
    return spawn(command, args, options);
  });
  const warmedUp = async () => {
    const deadline = Date.now() + 5000;
    while (!started.some((argv) => argv.join(' ') === '/bin/sh -s')) {
      if (Date.now() > deadline) throw new Error('no warm shell was started');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    started.splice(0);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let it reach its read
  };
  return { spawner, started, warmedUp };
}

/** Whether a process exists and is not a zombie (a dead orphan may wait a moment for its reaper). */
function isRunning(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
