import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DocumentError, parseDocument } from '@tender/documents';
import type { ActionContext, ActionHandler, ActionResult } from '@tender/plugin-api';
import { downloadsFolderOf } from './destination.js';
import { parseRunDocumentInputs, RUN_DOCUMENT, type RunDocumentSource } from './run-document-inputs.js';
import { aborted, failed, untilAborted } from './results.js';

/** The largest local document file read (SSM's limit for a stored Command document is 64 KB). */
export const MAX_LOCAL_DOCUMENT_BYTES = 1024 * 1024;

/**
 * Builds aws:runDocument: gets the document (from the control plane, or a JSON or YAML file on the instance),
 * checks it, and runs it as a nested run of this step through the agent's runDocument service, which validates
 * the parameters, runs the steps with this step's signal and sinks, and limits the nesting depth.
 */
export function createRunDocumentAction(): ActionHandler {
  return {
    description: 'run a command document from the control plane or a local file as part of this step',
    run: (context) => runDocument(context),
  };
}

type Loaded = { name: string; content: Record<string, unknown> } | { failure: ActionResult };

async function runDocument(context: ActionContext): Promise<ActionResult> {
  try {
    const parsed = parseRunDocumentInputs(context.inputs);
    if (!parsed.ok) return failed(parsed.message);
    const run = context.services?.runDocument;
    if (!run) return failed(`${RUN_DOCUMENT}: this agent cannot run nested documents`);
    if (context.signal.aborted) return aborted(context.signal, 'no document was run');

    const loaded = parsed.inputs.source.type === 'SSMDocument' ? await fromControlPlane(context, parsed.inputs.source) : await fromFile(context, parsed.inputs.source);
    if ('failure' in loaded) return loaded.failure;
    if (context.signal.aborted) return aborted(context.signal, `${loaded.name} was not run`);

    context.logger.info(`${RUN_DOCUMENT} running ${loaded.name}`, { step: context.run.stepName });
    const result = await run(loaded.content, parsed.inputs.parameters, { signal: context.signal, stdout: context.stdout, stderr: context.stderr, documentName: loaded.name });
    return result.status === 'Success' || result.message === undefined ? result : { ...result, message: `${RUN_DOCUMENT}: ${result.message}` };
  } catch (error) {
    return failed(`${RUN_DOCUMENT}: unexpected error: ${(error as Error).message}`);
  }
}

async function fromControlPlane(context: ActionContext, source: Extract<RunDocumentSource, { type: 'SSMDocument' }>): Promise<Loaded> {
  const getDocument = context.services?.getDocument;
  const described = source.version === undefined ? source.name : `${source.name} version ${source.version}`;
  if (!getDocument) return { failure: failed(`${RUN_DOCUMENT}: documentType SSMDocument needs an agent that can fetch documents from its control plane, and this one cannot`) };
  try {
    const document = await untilAborted(getDocument(source.name, source.version), context.signal);
    return { name: `${document.name} (version ${document.version})`, content: document.content };
  } catch (error) {
    if (context.signal.aborted) return { failure: aborted(context.signal, `${described} was not run`) };
    return { failure: failed(`${RUN_DOCUMENT}: could not get the document ${described} from the control plane: ${(error as Error).message}`) };
  }
}

/** A relative path is in the command's downloads folder, as SSM resolves it (where aws:downloadContent wrote). */
async function fromFile(context: ActionContext, source: Extract<RunDocumentSource, { type: 'LocalPath' }>): Promise<Loaded> {
  const file = path.isAbsolute(source.path) ? path.resolve(source.path) : path.resolve(downloadsFolderOf(context), source.path);
  const fail = (problem: string): Loaded => ({ failure: failed(`${RUN_DOCUMENT}: ${problem}`) });
  let text: string;
  try {
    const info = await stat(file);
    if (info.isDirectory()) return fail(`the document path ${file} is a directory, not a document file`);
    if (info.size > MAX_LOCAL_DOCUMENT_BYTES) return fail(`the document file ${file} is ${info.size} bytes, more than the limit of ${MAX_LOCAL_DOCUMENT_BYTES}`);
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? `the document file ${file} does not exist` : `could not read the document file ${file}: ${(error as Error).message}`);
  }
  if (text.trim() === '') return fail(`the document file ${file} is empty`);
  try {
    // JSON or YAML, detected from the text; DocumentError messages name the file, the place and the problem.
    return { name: file, content: parseDocument(text, { name: file }).content };
  } catch (error) {
    if (error instanceof DocumentError) return fail(error.message);
    throw error;
  }
}
