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
  private bytes: number;
  private readonly head: Buffer;
  private headLength: number;

  /**
   * Opens `file` for appending. A step that runs again after a reboot appends to what its first run wrote, so
   * nothing of either run is lost and the preview starts where the output started.
   */
  constructor(
    readonly file: string,
    private readonly characters: number,
  ) {
    this.head = Buffer.alloc(previewByteBudget(characters));
    this.fd = openSync(file, 'a', 0o600);
    this.bytes = statSync(file).size;
    this.headLength = this.bytes === 0 ? 0 : readHead(file, this.head);
  }

  write(chunk: Uint8Array | string): void {
    if (this.fd === undefined) return; // late output after the step ended; the action has already reported
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let offset = 0;
    while (offset < bytes.byteLength) offset += writeSync(this.fd, bytes, offset, bytes.byteLength - offset);
    this.bytes += bytes.byteLength;
    if (this.headLength < this.head.byteLength) {
      const take = Math.min(bytes.byteLength, this.head.byteLength - this.headLength);
      this.head.set(bytes.subarray(0, take), this.headLength);
      this.headLength += take;
    }
  }

  /** Closes the file; later writes are ignored. */
  close(): OutputSummary {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    return this.summary();
  }

  summary(): OutputSummary {
    const { preview, truncated } = previewOf(this.head.subarray(0, this.headLength), this.bytes, this.characters);
    return { preview, truncated, bytes: this.bytes, file: this.file };
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
