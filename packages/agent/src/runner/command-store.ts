/**
 * Durable per-command state, after amazon-ssm-agent's document states:
 *
 *   <stateDir>/commands/pending/<id>.json     accepted, not started          { version, command }
 *                                             (only when it must wait: one that starts at once is
 *                                             acknowledged after its first write to current/, see acceptStarting)
 *   <stateDir>/commands/current/<id>.json     started (CommandRecord)        rewritten before every step
 *   <stateDir>/results/<id>.json              ended; the result spool        { version, result }
 *   <stateDir>/commands/completed/<id>.json   ended, result acknowledged     { version, result }
 *   <stateDir>/commands/corrupt/<id>.json     unreadable; kept for a person to look at
 *   <stateDir>/runs/<id>/<step>/stdout|stderr every byte of each step's output
 *
 * Every file is written atomically (write a temporary sibling, fdatasync, rename, fsync the folder), but for the two
 * that are written once, a command's first record in current/ and its result in the spool, which are created in
 * place (writeNewFileSync: one journal commit instead of two, on every command's path). A crash can tear such a write
 * only before its sync returned: for the record, before anything of the command ran or was acknowledged; for the
 * result, before the spool held it (its record is still in current/). Recovery treats a torn file as any unreadable
 * one (moved to corrupt/; the command ends Failed, saying so), and no later write can tear it, since those replace
 * files atomically. The three
 * writes on every command's path (accepted, started, ended) are made with synchronous system calls: the
 * acknowledgement, the step and the result each wait for theirs anyway, and one uninterrupted run of calls
 * takes a millisecond or two where eight trips through the thread pool took tens on a loaded host (see
 * writeFileAtomicSync). A command moves forward by
 * writing its next file before removing the previous one, so a crash at any instant leaves it in one place or,
 * at worst, two; recovery keeps the later one. An ended command's result is written once, to the spool; when the
 * control plane acknowledges it, the file is renamed into completed/ (a rename cannot half-happen, and costs no
 * write), where it stays so that a redelivered command is still recognised.
 *
 * A command id is known once it is in any of these places, which is how a redelivered command is recognised
 * and not run twice.
 */
import { promises as fs, rmSync } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, readJsonFile, StateFileError, writeJsonFile, writeJsonFileSync, writeNewJsonFileSync } from '@tender/local-state';
import type { Logger } from '@tender/plugin-api';
import { isoTime, systemClock, type Clock } from './clock.js';
import type { Command, CommandResult } from './command.js';
import { isValidCommandId } from './command.js';
import { recordProblems, type CommandRecord } from './command-record.js';
import { assertCommand, commandProblems } from './command-validation.js';
import { byCodeUnits } from '../runtime/code-unit-order.js';

/** Where a command is. `completed` means ended: its result is in the spool, or acknowledged in completed/. */
export type CommandLocation = 'pending' | 'current' | 'completed' | 'corrupt';

const LOCATIONS: readonly CommandLocation[] = ['pending', 'current', 'completed', 'corrupt'];
const FILE_VERSION = 1;

interface PendingFile {
  version: typeof FILE_VERSION;
  command: Command;
}

interface ResultFile {
  version: typeof FILE_VERSION;
  result: CommandResult;
}

/** What reading a state file found: nothing, a usable value, or a corrupt file (already moved aside). */
export type StoredEntry<T> = { state: 'absent' } | { state: 'ok'; value: T } | { state: 'corrupt'; reason: string };

/** A temporary file older than this was left by a write that never finished (a crash), not by one under way. */
const STALE_TEMPORARY_MS = 60_000;

export class CommandStore {
  readonly commandsDir: string;
  readonly resultsDir: string;
  readonly runsDir: string;
  /** Where each known command is; filled from disk at open, then kept in step with every move. */
  private readonly index = new Map<string, CommandLocation>();
  private readonly spooled = new Set<string>();
  /**
   * Accepted commands not started yet, as accept() wrote them: the queue reaches most of them within
   * milliseconds, and reading back the file just written (and checking it again) would only add to that. The very
   * objects given to accept() and acceptStarting(), which take them over (a copy cost a third of a millisecond of
   * a small VM's time on every command's path).
   */
  private readonly accepted = new Map<string, Command>();
  /** Commands taken by acceptStarting() whose first durable write has not happened yet; settled by it. */
  private readonly unwritten = new Map<string, { persisted: Promise<void>; resolve: () => void; reject: (error: Error) => void }>();

  private constructor(
    readonly stateDir: string,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.commandsDir = path.join(stateDir, 'commands');
    this.resultsDir = path.join(stateDir, 'results');
    this.runsDir = path.join(stateDir, 'runs');
  }

  /** Creates the folders (owner-only) and reads what is there. */
  static async open(stateDir: string, logger: Logger, clock: Clock = systemClock): Promise<CommandStore> {
    const store = new CommandStore(path.resolve(stateDir), logger, clock);
    for (const location of LOCATIONS) await ensurePrivateDir(store.dir(location));
    await ensurePrivateDir(store.resultsDir);
    await ensurePrivateDir(store.runsDir);
    await store.rescan();
    return store;
  }

  /** Rebuilds what the store knows from the files on disk (at open, and again when recovery starts). */
  async rescan(): Promise<void> {
    this.index.clear();
    this.accepted.clear();
    this.spooled.clear();
    for (const location of LOCATIONS) {
      for (const id of await this.list(location)) {
        // Two places at once is a crash mid-move: the later place is the truth (recovery tidies up).
        const known = this.index.get(id);
        if (known === undefined || LOCATIONS.indexOf(location) > LOCATIONS.indexOf(known)) this.index.set(id, location);
      }
    }
    for (const id of await this.listResults()) {
      this.spooled.add(id);
      const known = this.index.get(id);
      if (known !== 'completed' && known !== 'corrupt') this.index.set(id, 'completed');
    }
  }

  private dir(location: CommandLocation): string {
    return path.join(this.commandsDir, location);
  }

  private file(location: CommandLocation, commandId: string): string {
    return path.join(this.dir(location), `${commandId}.json`);
  }

  private resultFile(commandId: string): string {
    return path.join(this.resultsDir, `${commandId}.json`);
  }

  /** `<stateDir>/runs/<commandId>`: the command's output files and its steps' orchestration folders. */
  runDirectory(commandId: string): string {
    return path.join(this.runsDir, commandId);
  }

  /** Where the command is, if the agent has ever accepted it (and has not pruned it). */
  locate(commandId: string): CommandLocation | undefined {
    return this.index.get(commandId);
  }

  /** Whether a result for it waits in the spool. */
  isSpooled(commandId: string): boolean {
    return this.spooled.has(commandId);
  }

  /**
   * Persists a new command in pending/ and resolves only once it is on disk, so the caller may acknowledge it
   * to the control plane. A command id the agent already has, in any state, is a duplicate: nothing is written.
   * The store keeps `command` itself: the caller hands it over and does not change it afterwards.
   * @throws InvalidCommandError for a value that is not a usable Command (nothing is written).
   */
  async accept(command: Command): Promise<'accepted' | 'duplicate'> {
    assertCommand(command);
    const id = command.commandId;
    // Checked and claimed synchronously, so two deliveries of one command racing here cannot both be accepted.
    if (this.index.has(id) || this.spooled.has(id)) return 'duplicate';
    this.index.set(id, 'pending');
    try {
      writeJsonFileSync(this.file('pending', id), { version: FILE_VERSION, command } satisfies PendingFile);
    } catch (error) {
      this.index.delete(id);
      throw error;
    }
    this.accepted.set(id, command);
    return 'accepted';
  }

  /**
   * Takes a new command that starts running at once (a worker is free and nothing waits), without writing it to
   * pending/: its first durable write is the run's own, the record in current/ saved before its first step runs
   * (or its result, when no step runs). `persisted` resolves once that write is on disk: acknowledge the command
   * then, not before. This saves one atomic write (two fsyncs) on every command's path and changes no guarantee:
   * before that write nothing has run, and a crash leaves nothing, so the control plane (never acknowledged)
   * sends the command again; after it, the command is known and never runs twice. The runner calls
   * abandonUnwritten() when a run ends without writing anything. As accept(), it keeps `command` itself.
   * @throws InvalidCommandError for a value that is not a usable Command (nothing is taken).
   */
  acceptStarting(command: Command): { outcome: 'accepted'; persisted: Promise<void> } | { outcome: 'duplicate' } {
    assertCommand(command);
    const id = command.commandId;
    if (this.index.has(id) || this.spooled.has(id)) return { outcome: 'duplicate' };
    this.index.set(id, 'pending');
    this.accepted.set(id, command);
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const persisted = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    persisted.catch(() => undefined); // whoever awaits it sees the rejection; nobody may, after a shutdown
    this.unwritten.set(id, { persisted, ...settle! });
    return { outcome: 'accepted', persisted };
  }

  /**
   * Resolves once a command taken by acceptStarting() is on disk (at once for any other): a second delivery of
   * it that arrives meanwhile is a duplicate, but must not be acknowledged before the first could be.
   */
  async untilWritten(commandId: string): Promise<void> {
    await this.unwritten.get(commandId)?.persisted;
  }

  /** A run taken by acceptStarting() ended without writing anything: forget it, so a redelivery is taken anew. */
  abandonUnwritten(commandId: string, reason: Error): void {
    const waiter = this.unwritten.get(commandId);
    if (!waiter) return;
    this.unwritten.delete(commandId);
    if (this.index.get(commandId) === 'pending') this.index.delete(commandId);
    this.accepted.delete(commandId);
    waiter.reject(reason);
  }

  /** The command's first durable write is on disk: whoever waits to acknowledge it may. */
  private written(commandId: string): void {
    const waiter = this.unwritten.get(commandId);
    if (!waiter) return;
    this.unwritten.delete(commandId);
    waiter.resolve();
  }

  async readPending(commandId: string): Promise<StoredEntry<Command>> {
    const command = this.accepted.get(commandId);
    if (command !== undefined && this.index.get(commandId) === 'pending') return { state: 'ok', value: command };
    return this.read('pending', commandId, (value) => {
      const file = value as Partial<PendingFile> | null;
      if (file?.version !== FILE_VERSION) return [`version must be ${FILE_VERSION}`];
      return commandProblems(file.command);
    }, (value) => (value as PendingFile).command);
  }

  async readCurrent(commandId: string): Promise<StoredEntry<CommandRecord>> {
    return this.read('current', commandId, recordProblems, (value) => value as CommandRecord);
  }

  /** An ended command's result: from the spool, or from completed/ once acknowledged. */
  async readCompleted(commandId: string): Promise<StoredEntry<CommandResult>> {
    const spooled = await this.readResult(commandId);
    if (spooled.state !== 'absent') return spooled;
    return this.read('completed', commandId, resultFileProblems, (value) => (value as ResultFile).result);
  }

  /** Writes the record to current/ and, the first time, then removes the command from pending/. */
  async saveCurrent(record: CommandRecord): Promise<void> {
    const id = record.command.commandId;
    const first = this.index.get(id) !== 'current';
    // Taken by acceptStarting(): it never was in pending/, so there is nothing there to remove (a system call fewer
    // between the save and the step's start).
    const inPending = first && !this.unwritten.has(id);
    if (first) writeNewOrReplace(this.file('current', id), record);
    else writeJsonFileSync(this.file('current', id), record);
    this.written(id);
    this.accepted.delete(id);
    if (inPending) rmSync(this.file('pending', id), { force: true });
    if (first) this.index.set(id, 'current');
  }

  /** Ends a command: its result goes to the spool, then the earlier states are forgotten. */
  async complete(result: CommandResult): Promise<void> {
    const id = result.commandId;
    writeNewOrReplace(this.resultFile(id), { version: FILE_VERSION, result } satisfies ResultFile);
    this.written(id);
    this.spooled.add(id);
    this.index.set(id, 'completed');
    this.accepted.delete(id);
    rmSync(this.file('current', id), { force: true });
    rmSync(this.file('pending', id), { force: true });
  }

  /** Results not yet acknowledged by the control plane, oldest first: deliver them (again) after a reconnect. */
  async pendingResults(): Promise<CommandResult[]> {
    const results: CommandResult[] = [];
    for (const id of await this.listResults()) {
      const entry = await this.readResult(id);
      if (entry.state === 'ok') results.push(entry.value);
    }
    return results.sort((a, b) => byCodeUnits(a.endedAt, b.endedAt));
  }

  /**
   * The spooled result. An unreadable spool file (the disk failed under an atomic write) is moved to corrupt/
   * and replaced by a Failed result that says so: the control plane still gets a definite status.
   */
  async readResult(commandId: string): Promise<StoredEntry<CommandResult>> {
    const file = this.resultFile(commandId);
    const found = await readChecked(file, resultFileProblems);
    if (found.state === 'absent') return found;
    if (found.state === 'ok') return { state: 'ok', value: (found.value as ResultFile).result };
    this.logger.error('a spooled command result is corrupt; moved to corrupt/ and replaced by a Failed result', { commandId, file, reason: found.reason });
    await this.moveAside(file, commandId);
    const replacement: CommandResult = {
      commandId,
      documentName: '',
      status: 'Failed',
      statusDetails: 'Failed',
      responseCode: -1,
      message: `The agent's saved result for this command could not be read; the file was moved to commands/corrupt/ (${found.reason}).`,
      endedAt: isoTime(this.clock),
      steps: [],
    };
    await writeJsonFile(file, { version: FILE_VERSION, result: replacement } satisfies ResultFile);
    return { state: 'ok', value: replacement };
  }

  /**
   * The control plane has the result: it leaves the spool for completed/, where it keeps the command known.
   * Not synced: should a crash undo the rename, the result is delivered again, and delivery is idempotent.
   */
  async ackResult(commandId: string): Promise<boolean> {
    if (!isValidCommandId(commandId) || !this.spooled.has(commandId)) return false;
    try {
      await fs.rename(this.resultFile(commandId), this.file('completed', commandId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.spooled.delete(commandId);
    return true;
  }

  /** Ids in one place, from disk (ignoring temporary files of atomic writes). */
  async list(location: CommandLocation): Promise<string[]> {
    return idsIn(this.dir(location), location === 'corrupt');
  }

  /** Ids with a result in the spool, from disk. */
  async listResults(): Promise<string[]> {
    return idsIn(this.resultsDir, false);
  }

  /** Removes the file of a state the command has moved past (recovery, after a crash mid-move). */
  async discard(location: Exclude<CommandLocation, 'corrupt'>, commandId: string): Promise<void> {
    await fs.rm(this.file(location, commandId), { force: true });
  }

  /** Removes temporary files left by writes a crash interrupted. */
  async removeStaleTemporaries(now: number): Promise<void> {
    for (const dir of [...LOCATIONS.map((location) => this.dir(location)), this.resultsDir]) {
      for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
        if (!name.startsWith('.') || !name.endsWith('.tmp')) continue;
        const file = path.join(dir, name);
        const stat = await fs.stat(file).catch(() => undefined);
        if (stat && now - stat.mtimeMs > STALE_TEMPORARY_MS) await fs.rm(file, { force: true });
      }
    }
  }

  /**
   * Forgets commands completed before `before` whose results were acknowledged: their completed/ record and
   * their output files. After this a redelivery of such a command is no longer recognised, so keep them longer
   * than the control plane may redeliver (its delivery timeout).
   */
  async prune(before: number): Promise<string[]> {
    const pruned: string[] = [];
    for (const id of await this.list('completed')) {
      if (this.spooled.has(id)) continue;
      const stat = await fs.stat(this.file('completed', id)).catch(() => undefined);
      if (!stat || stat.mtimeMs >= before) continue;
      await fs.rm(this.runDirectory(id), { recursive: true, force: true });
      await fs.rm(this.file('completed', id), { force: true });
      this.index.delete(id);
      pruned.push(id);
    }
    return pruned;
  }

  private async read<T>(
    location: CommandLocation,
    commandId: string,
    problemsOf: (value: unknown) => string[],
    pick: (value: unknown) => T,
  ): Promise<StoredEntry<T>> {
    const file = this.file(location, commandId);
    const found = await readChecked(file, problemsOf);
    if (found.state !== 'corrupt') return found.state === 'ok' ? { state: 'ok', value: pick(found.value) } : found;
    // Never crash the agent, never run half a command: keep the file for a person, and let the caller end
    // the command with a definite status.
    this.logger.error(`the state file of command ${commandId} is corrupt; moved to corrupt/`, { commandId, file, reason: found.reason });
    await this.moveAside(file, commandId);
    this.index.set(commandId, 'corrupt');
    return found;
  }

  private async moveAside(file: string, commandId: string): Promise<void> {
    let target = this.file('corrupt', commandId);
    for (let n = 1; await exists(target); n++) target = `${this.file('corrupt', commandId)}.${n}`;
    await fs.rename(file, target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') {
        this.logger.error('could not move a corrupt state file aside; removing it', { file, err: error.message });
        await fs.rm(file, { force: true });
      }
    });
  }
}

function resultFileProblems(value: unknown): string[] {
  const file = value as Partial<ResultFile> | null;
  if (file?.version !== FILE_VERSION) return [`version must be ${FILE_VERSION}`];
  const result = file.result as Partial<CommandResult> | undefined;
  if (!isValidCommandId(result?.commandId) || typeof result?.status !== 'string' || !Array.isArray(result.steps) || typeof result.endedAt !== 'string') {
    return ['result must be a command result'];
  }
  return [];
}

async function readChecked(file: string, problemsOf: (value: unknown) => string[]): Promise<StoredEntry<unknown>> {
  let value: unknown;
  try {
    value = await readJsonFile<unknown>(file);
  } catch (error) {
    return { state: 'corrupt', reason: error instanceof StateFileError ? error.message : String(error) };
  }
  if (value === undefined) return { state: 'absent' };
  const problems = problemsOf(value);
  if (problems.length > 0) return { state: 'corrupt', reason: `${file}: ${problems.join('; ')}` };
  return { state: 'ok', value };
}

/** `<id>.json` names (and `<id>.json.<n>` in corrupt/, where a name may be taken twice). */
async function idsIn(dir: string, numbered: boolean): Promise<string[]> {
  const pattern = numbered ? /^(.+)\.json(?:\.\d+)?$/ : /^(.+)\.json$/;
  const ids = new Set<string>();
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.')) continue;
    const id = pattern.exec(name)?.[1];
    if (id !== undefined && isValidCommandId(id)) ids.add(id);
  }
  return [...ids];
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/**
 * A file written once (a command's first record in current/, its result in the spool), created in place; over a
 * file left there (which nothing expects), atomically.
 */
function writeNewOrReplace(file: string, value: unknown): void {
  try {
    writeNewJsonFileSync(file, value);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    writeJsonFileSync(file, value);
  }
}
