/**
 * `{{ssm-secure:...}}` on the agent: sealed values open in memory just before the step runs and reach the
 * script (spliced, or as SSM_<name> with ENV_VAR); the command's files, the result and the logs never hold them;
 * a value that does not open, or is missing, fails the command before anything runs, saying why.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { generateBoxKeyPair, seal, type Sealed } from '@tender/protocol';
import { commandProblems, secretOpener } from '../src/runner/index.js';
import { document22, makeCommand, openRunner, shellStep, tempDir, unix, type TestRunner } from './fixtures/runner/harness.js';

const SECRET = 'p@ss w0rd;$(touch /tmp/never)';
const controlPlane = generateBoxKeyPair();
const agent = generateBoxKeyPair();
const sealTo = (recipient: Uint8Array, value = SECRET): Sealed => seal(new TextEncoder().encode(value), recipient, controlPlane.secretKey);

/** Every byte of every file under a folder (a file renamed away meanwhile, an atomic write's temporary, is skipped). */
async function allBytes(dir: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const bytes = await fs.readFile(path.join(entry.parentPath, entry.name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    });
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

(unix ? describe : describe.skip)('agent runner: sealed SecureString values', function () {
  this.timeout(30_000);
  let stateDir: string;
  let out: string;
  let t: TestRunner;

  beforeEach(async () => {
    stateDir = await tempDir();
    out = await tempDir('tender-secret-out-');
    t = await openRunner(stateDir, { openSecret: secretOpener(controlPlane.publicKey, agent.secretKey) });
  });
  afterEach(async () => {
    await t.runner.stop();
    await fs.rm(stateDir, { recursive: true, force: true });
    await fs.rm(out, { recursive: true, force: true });
  });

  /** A document with an ENV_VAR parameter whose default is the reference, and a step that splices one in. */
  const documentUsingSecret = () =>
    document22(
      [
        shellStep('viaEnvironment', [`printf '%s' "$SSM_password" > ${out}/env.txt`, `printf '%s' "{{ password }}" > ${out}/env-ref.txt`]),
        shellStep('spliced', [`cat > ${out}/spliced.txt <<'EOF'`, 'user={{ user }} password={{ssm-secure:db/password}}', 'EOF']),
      ],
      {
        password: { type: 'String', default: '{{ssm-secure:db/password}}', interpolationType: 'ENV_VAR' },
        user: { type: 'String', default: 'admin' },
      },
    );

  it('opens the value only for the step: the script gets it, the files, result and logs do not', async () => {
    const command = makeCommand(documentUsingSecret(), {
      parameters: { password: '{{ssm-secure:db/password}}', user: 'admin' },
      secrets: { 'ssm-secure:db/password': sealTo(agent.publicKey) },
    });
    const result = await t.run(command);
    assert.equal(result.status, 'Success', JSON.stringify(result.steps.map((step) => step.stderr.preview)));
    assert.equal(await fs.readFile(path.join(out, 'env.txt'), 'utf8'), SECRET);
    // With ENV_VAR the reference in the script is the variable, so the value is data to the shell, never code.
    assert.equal(await fs.readFile(path.join(out, 'env-ref.txt'), 'utf8'), SECRET);
    assert.equal(await fs.readFile(path.join(out, 'spliced.txt'), 'utf8'), `user=admin password=${SECRET}\n`);
    await assert.rejects(fs.access('/tmp/never'));

    const state = await allBytes(stateDir);
    assert.equal(state.indexOf(SECRET), -1, 'no file in the state directory holds the value');
    const completed = await fs.readFile(path.join(stateDir, 'commands', 'completed', `${command.commandId}.json`)).catch(() => undefined);
    const spooled = await fs.readFile(path.join(stateDir, 'results', `${command.commandId}.json`)).catch(() => undefined);
    assert.ok(completed ?? spooled, 'the result is on disk');
    assert.ok(!JSON.stringify(result).includes(SECRET));
    assert.ok(!JSON.stringify(t.logger.lines).includes(SECRET));
  });

  it('keeps the command sealed on disk until it runs', async () => {
    const blocker = path.join(out, 'go');
    const waiting = makeCommand(document22([shellStep('wait', [`while [ ! -e ${blocker} ]; do sleep 0.05; done`])]));
    const command = makeCommand(documentUsingSecret(), { parameters: { password: '{{ssm-secure:db/password}}' }, secrets: { 'ssm-secure:db/password': sealTo(agent.publicKey) } });
    const small = await openRunner(await tempDir(), { concurrency: 1, openSecret: secretOpener(controlPlane.publicKey, agent.secretKey) });
    try {
      await small.runner.accept(waiting);
      await small.runner.accept(command);
      const pending = await fs.readFile(path.join(small.stateDir, 'commands', 'pending', `${command.commandId}.json`), 'utf8');
      assert.ok(pending.includes('"ssm-secure:db/password"') && pending.includes('"nonce"'), 'the sealed value is persisted');
      assert.ok(!pending.includes(SECRET));
      await fs.writeFile(blocker, '');
      assert.equal((await small.waitForResult(command.commandId)).status, 'Success');
      assert.equal(await fs.readFile(path.join(out, 'env.txt'), 'utf8'), SECRET);
    } finally {
      await small.runner.stop();
      await fs.rm(small.stateDir, { recursive: true, force: true });
    }
  });

  it('fails the command before any step runs when a sealed value does not open, or is missing', async () => {
    const other = generateBoxKeyPair();
    const cases: Array<[Record<string, Sealed> | undefined, RegExp]> = [
      [{ 'ssm-secure:db/password': sealTo(other.publicKey) }, /The sealed value of \{\{ssm-secure:db\/password\}\} does not open with this agent's key/],
      [{ 'ssm-secure:db/password': { ...sealTo(agent.publicKey), box: sealTo(agent.publicKey, 'x').box } }, /does not open with this agent's key/],
      [undefined, /The control plane sent no sealed value for \{\{ssm-secure:db\/password\}\}/],
    ];
    for (const [secrets, reason] of cases) {
      const command = makeCommand(documentUsingSecret(), { parameters: { password: '{{ssm-secure:db/password}}' }, ...(secrets ? { secrets } : {}) });
      const result = await t.run(command);
      assert.equal(result.status, 'Failed');
      assert.equal(result.statusDetails, 'Failed');
      assert.match(result.message ?? '', reason);
      for (const step of result.steps) {
        assert.equal(step.status, 'Failed');
        assert.equal(step.runs, 0, 'nothing ran');
        assert.match(step.stderr.preview, reason);
      }
      await assert.rejects(fs.access(path.join(out, 'env.txt')));
    }
  });

  it('an agent without an opener fails such commands with the reason', async () => {
    const plain = await openRunner(await tempDir());
    try {
      const command = makeCommand(documentUsingSecret(), { parameters: { password: '{{ssm-secure:db/password}}' }, secrets: { 'ssm-secure:db/password': sealTo(agent.publicKey) } });
      const result = await plain.run(command);
      assert.equal(result.status, 'Failed');
      assert.match(result.steps[0]!.stderr.preview, /does not open with this agent's key/);
    } finally {
      await plain.runner.stop();
      await fs.rm(plain.stateDir, { recursive: true, force: true });
    }
  });

  it('refuses a command whose secrets are not sealed values', () => {
    const command = makeCommand(documentUsingSecret(), { secrets: { 'ssm-secure:db/password': 'plaintext' as unknown as Sealed } });
    assert.deepEqual(commandProblems(command), ['secrets must be an object of sealed values ({ nonce, box }) by reference']);
  });
});
