/**
 * The output sinks a step's action writes to. Every byte goes to the step's file as it arrives, so output of any
 * size is kept whole and survives an agent crash; only the head is kept in memory, for the preview.
 *
 * Writes are synchronous. OutputSink.write cannot wait, and an asynchronous stream would buffer without bound
 * when a script writes faster than the disk takes it; a local write of a pipe-sized chunk costs microseconds.
 * A write that fails throws, which the action answers by stopping the step: output that cannot be kept is
 * never silently dropped.
 */
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import type { OutputSink } from '@tender/plugin-api';
import type { OutputSummary } from './command.js';
import { previewByteBudget, previewOf } from './output-preview.js';

export class CapturedOutput implements OutputSink {
  private fd: number | undefined;
  private closed = false;
  private bytes = 0;
  private readonly head: Buffer;
  private headLength = 0;

  /**
   * Appends to `file`, which is opened at the first write: a step that prints nothing (most steps' standard error)
   * leaves no file, and none is made on the way to starting the step. A step that runs again after a reboot appends
   * to what its first run wrote, so nothing of either run is lost and the preview starts where the output started.
   */
  constructor(
    readonly file: string,
    private readonly characters: number,
  ) {
    // Not zeroed: only the bytes written into it are ever read (head.subarray(0, headLength)), and zeroing 96 KiB that
    // a short output never touches cost a fraction of a millisecond in page faults on every step's path.
    this.head = Buffer.allocUnsafe(previewByteBudget(characters));
  }

  write(chunk: Uint8Array | string): void {
    if (this.closed) return; // late output after the step ended; the action has already reported
    const fd = this.fd ?? this.open();
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let offset = 0;
    while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
    this.bytes += bytes.byteLength;
    if (this.headLength < this.head.byteLength) {
      const take = Math.min(bytes.byteLength, this.head.byteLength - this.headLength);
      this.head.set(bytes.subarray(0, take), this.headLength);
      this.headLength += take;
    }
  }

  /** Closes the file; later writes are ignored. */
  close(): OutputSummary {
    if (!this.closed) {
      this.closed = true;
      if (this.fd !== undefined) closeSync(this.fd);
      else this.takeEarlierOutput(); // nothing written this run: what an earlier run left is the output
      this.fd = undefined;
    }
    return this.summary();
  }

  summary(): OutputSummary {
    const { preview, truncated } = previewOf(this.head.subarray(0, this.headLength), this.bytes, this.characters);
    return { preview, truncated, bytes: this.bytes, file: this.file };
  }

  private open(): number {
    const fd = openSync(this.file, 'a', 0o600);
    this.fd = fd;
    this.takeEarlierOutput();
    return fd;
  }

  /** Counts what the file holds already (an earlier run's output, after a reboot) and reads its head. */
  private takeEarlierOutput(): void {
    this.bytes = statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
    this.headLength = this.bytes === 0 ? 0 : readHead(this.file, this.head);
  }
}

/** The summary of an output file written earlier (by a run the agent did not see end). */
export function summarizeOutputFile(file: string, characters: number): OutputSummary {
  let bytes = 0;
  try {
    bytes = statSync(file).size;
  } catch {
    return { preview: '', truncated: false, bytes: 0, file };
  }
  const head = Buffer.alloc(Math.min(bytes, previewByteBudget(characters)));
  const length = readHead(file, head);
  const { preview, truncated } = previewOf(head.subarray(0, length), bytes, characters);
  return { preview, truncated, bytes, file };
}

function readHead(file: string, into: Buffer): number {
  const fd = openSync(file, 'r');
  try {
    let length = 0;
    while (length < into.byteLength) {
      const read = readSync(fd, into, length, into.byteLength - length, length);
      if (read === 0) break;
      length += read;
    }
    return length;
  } finally {
    closeSync(fd);
  }
}
