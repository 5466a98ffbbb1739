import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ActionContext, ActionResult } from '@tender/plugin-api';
import { downloadsFolderOf, resolveDestination } from './destination.js';
import { documentFileName } from './document-reference.js';
import { DOWNLOAD_CONTENT, type SsmDocumentSource } from './inputs.js';
import { aborted, failed, untilAborted } from './results.js';

/**
 * aws:downloadContent with sourceType SSMDocument: the document comes from the control plane (the agent's
 * getDocument service) and is written as JSON, by default to `<downloads>/<name>.json` as SSM does, atomically
 * (a temporary file renamed into place), so a failure never leaves a partial file at the destination.
 */
export async function downloadSsmDocument(context: ActionContext, source: SsmDocumentSource, destinationPath: string | undefined): Promise<ActionResult> {
  const getDocument = context.services?.getDocument;
  if (!getDocument) return failed(`${DOWNLOAD_CONTENT}: sourceType SSMDocument needs an agent that can fetch documents from its control plane, and this one cannot`);
  const described = source.version === undefined ? source.name : `${source.name} version ${source.version}`;
  const destination = await resolveDestination(downloadsFolderOf(context), destinationPath, documentFileName(source.name));
  if ('problem' in destination) return failed(`${DOWNLOAD_CONTENT}: ${destination.problem}`);
  if (context.signal.aborted) return aborted(context.signal, 'nothing was downloaded');

  let document: Awaited<ReturnType<typeof getDocument>>;
  try {
    document = await untilAborted(getDocument(source.name, source.version), context.signal);
  } catch (error) {
    if (context.signal.aborted) return aborted(context.signal, 'nothing was downloaded');
    return failed(`${DOWNLOAD_CONTENT}: could not get the document ${described} from the control plane: ${(error as Error).message}`);
  }

  const target = destination.path;
  const text = `${JSON.stringify(document.content, null, 2)}\n`;
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.tender-${randomBytes(6).toString('hex')}.part`);
  try {
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    return failed(`${DOWNLOAD_CONTENT}: could not write the document to ${target}: ${(error as Error).message}`);
  }
  context.stdout.write(`Downloaded document ${document.name} version ${document.version} to ${target} (${Buffer.byteLength(text)} bytes)\n`);
  return { status: 'Success', exitCode: 0, outputs: { destinationPath: target, documentName: document.name, documentVersion: document.version } };
}
