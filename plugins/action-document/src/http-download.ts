import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A download that failed for a reason other than an abort; its message is the step's. */
export class DownloadError extends Error {
  override name = 'DownloadError';
}

export interface DownloadOptions {
  signal: AbortSignal;
  maxBytes: number;
  maxRedirects: number;
  /** Checks each URL before it is fetched (the first and every redirect); returns why it may not be. */
  check(url: URL): string | undefined;
}

export interface Downloaded {
  bytes: number;
  sha256: string;
  /** The URL the content finally came from, after redirects. */
  url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function get(url: URL, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(url, { signal, headers: { 'user-agent': 'tender-agent aws:downloadContent' } }, resolve);
    request.on('error', reject);
  });
}

/**
 * Fetches a URL into `file` (which the caller then verifies and renames), following redirects. Throws a
 * DownloadError for what went wrong, or the abort error when `signal` was aborted.
 */
export async function downloadToFile(start: URL, file: string, options: DownloadOptions): Promise<Downloaded> {
  let url = start;
  for (let redirects = 0; ; redirects++) {
    const problem = options.check(url);
    if (problem) throw new DownloadError(problem);
    let response: http.IncomingMessage;
    try {
      response = await get(url, options.signal);
    } catch (error) {
      if (options.signal.aborted) throw error;
      throw new DownloadError(`could not fetch ${url.href}: ${(error as Error).message}`);
    }
    const status = response.statusCode ?? 0;
    if (REDIRECTS.has(status)) {
      response.resume();
      const location = response.headers.location;
      if (!location) throw new DownloadError(`HTTP ${status} from ${url.href} without a Location header`);
      if (redirects >= options.maxRedirects) throw new DownloadError(`too many redirects (more than ${options.maxRedirects}) from ${start.href}`);
      try {
        url = new URL(location, url);
      } catch {
        throw new DownloadError(`HTTP ${status} from ${url.href} with an invalid Location: ${location}`);
      }
      continue;
    }
    if (status < 200 || status > 299) {
      response.resume();
      throw new DownloadError(`HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''} from ${url.href}`);
    }
    const length = Number(response.headers['content-length']);
    if (Number.isFinite(length) && length > options.maxBytes) {
      response.destroy();
      throw new DownloadError(`${url.href} is ${length} bytes, more than the limit of ${options.maxBytes}`);
    }

    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > options.maxBytes) {
          callback(new DownloadError(`${url.href} is more than the limit of ${options.maxBytes} bytes`));
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(response, meter, createWriteStream(file, { mode: 0o600 }), { signal: options.signal });
    } catch (error) {
      if (options.signal.aborted || error instanceof DownloadError) throw error;
      throw new DownloadError(`could not download ${url.href}: ${(error as Error).message}`);
    }
    if (response.complete === false) throw new DownloadError(`the connection to ${url.href} closed before the content was complete`);
    return { bytes, sha256: hash.digest('hex'), url };
  }
}
