/**
 * Streams the lines of a JSON Lines file without holding the file in memory. Splitting happens on bytes,
 * before decoding, so a multi-byte character across a chunk boundary is never broken. The last line says
 * whether it ended with a newline: a record without one was being written when the writer stopped.
 */
import { createReadStream } from 'node:fs';

export interface JsonlLine {
  /** 1-based line number. */
  line: number;
  text: string;
  terminated: boolean;
}

export async function* readJsonlLines(file: string): AsyncGenerator<JsonlLine> {
  let pending: Buffer[] = [];
  let line = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      pending.push(chunk.subarray(start, nl));
      yield { line: ++line, text: Buffer.concat(pending).toString('utf8'), terminated: true };
      pending = [];
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length > 0) yield { line: ++line, text: Buffer.concat(pending).toString('utf8'), terminated: false };
}
