import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ActionContext, ActionHandler, ActionResult } from '@tender/plugin-api';
import { downloadsFolderOf, fileNameFromUrl, resolveDestination } from './destination.js';
import { DownloadError, downloadToFile } from './http-download.js';
import { DOWNLOAD_CONTENT, insecureProblem, parseDownloadInputs, type HttpSource } from './inputs.js';
import { aborted, failed, NO_EXIT_CODE } from './results.js';
import { downloadSsmDocument } from './ssm-document-download.js';

export { NO_EXIT_CODE } from './results.js';

export interface DownloadContentOptions {
  /** How long the whole download may take; then the step is TimedOut. Default 60 s. */
  timeoutMs?: number;
  /** The largest content accepted. Default 256 MiB. */
  maxBytes?: number;
  /** How many redirects are followed. Default 5. */
  maxRedirects?: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

/** Builds aws:downloadContent (sources HTTP and SSMDocument). */
export function createDownloadContentAction(options: DownloadContentOptions = {}): ActionHandler {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  return {
    description: 'download a file over HTTPS (or verified HTTP), or a document from the control plane, into the instance',
    run: (context) => runDownload(context, timeoutMs, maxBytes, maxRedirects),
  };
}

async function runDownload(context: ActionContext, timeoutMs: number, maxBytes: number, maxRedirects: number): Promise<ActionResult> {
  try {
    const parsed = parseDownloadInputs(context.inputs);
    if (!parsed.ok) return failed(parsed.message);
    const { source, destinationPath } = parsed.inputs;
    if (source.type === 'SSMDocument') return await downloadSsmDocument(context, source, destinationPath);
    return await downloadHttp(context, source, destinationPath, timeoutMs, maxBytes, maxRedirects);
  } catch (error) {
    return failed(`${DOWNLOAD_CONTENT}: unexpected error: ${(error as Error).message}`);
  }
}

async function downloadHttp(
  context: ActionContext,
  source: HttpSource,
  destinationPath: string | undefined,
  timeoutMs: number,
  maxBytes: number,
  maxRedirects: number,
): Promise<ActionResult> {
  const destination = await resolveDestination(downloadsFolderOf(context), destinationPath, fileNameFromUrl(source.url));
  if ('problem' in destination) return failed(`${DOWNLOAD_CONTENT}: ${destination.problem}`);
  if (context.signal.aborted) return aborted(context.signal, 'nothing was downloaded');

  const target = destination.path;
  try {
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  } catch (error) {
    return failed(`${DOWNLOAD_CONTENT}: could not create ${path.dirname(target)}: ${(error as Error).message}`);
  }
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.tender-${randomBytes(6).toString('hex')}.part`);
  // Our own controller and timer rather than AbortSignal.any([.., AbortSignal.timeout()]): on Node 20 the
  // timeout signal inside any() can be garbage-collected before it fires, and the download then never ends.
  const controller = new AbortController();
  const forward = () => controller.abort(context.signal.reason);
  context.signal.addEventListener('abort', forward, { once: true });
  const timer = setTimeout(() => controller.abort('timeout'), timeoutMs);
  const signal = controller.signal;
  context.logger.debug(`${DOWNLOAD_CONTENT} starting`, { url: source.url.href, destination: target, step: context.run.stepName });

  let keepTemporary = false;
  try {
    let result;
    try {
      result = await downloadToFile(source.url, temporary, {
        signal,
        maxBytes,
        maxRedirects,
        check: (url) => insecureProblem(url, source.allowInsecureDownload, source.sha256),
      });
    } catch (error) {
      if (context.signal.aborted) return aborted(context.signal, 'the download was stopped and nothing was written');
      if (signal.aborted) {
        return { status: 'TimedOut', exitCode: NO_EXIT_CODE, message: `${DOWNLOAD_CONTENT}: the download of ${source.url.href} did not finish within ${timeoutMs / 1000} s; nothing was written` };
      }
      if (error instanceof DownloadError) return failed(`${DOWNLOAD_CONTENT}: ${error.message}`);
      throw error;
    }
    if (source.sha256 !== undefined && result.sha256 !== source.sha256) {
      return failed(`${DOWNLOAD_CONTENT}: SHA-256 mismatch for ${source.url.href}: expected ${source.sha256}, got ${result.sha256}; nothing was written to ${target}`);
    }
    if (context.signal.aborted) return aborted(context.signal, 'the download was discarded');
    try {
      await rename(temporary, target);
    } catch (error) {
      return failed(`${DOWNLOAD_CONTENT}: could not move the download into ${target}: ${(error as Error).message}`);
    }
    keepTemporary = true;
    context.stdout.write(`Downloaded ${source.url.href} to ${target} (${result.bytes} bytes, sha256 ${result.sha256})\n`);
    return { status: 'Success', exitCode: 0, outputs: { destinationPath: target, sha256: result.sha256, bytes: result.bytes } };
  } finally {
    clearTimeout(timer);
    context.signal.removeEventListener('abort', forward);
    if (!keepTemporary) await rm(temporary, { force: true }).catch(() => undefined);
  }
}
