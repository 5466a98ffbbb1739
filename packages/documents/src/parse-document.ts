/**
 * parseDocument: text in, a validated CommandDocument out, or every problem at once.
 */
import { DocumentError, DocumentValidationError } from './document-errors.js';
import type { DocumentProblem } from './document-errors.js';
import type { CommandDocument, CommandDocumentType, DocumentFormat, DocumentType, Step } from './document-model.js';
import { readDocumentText } from './document-text.js';
import { ownValue } from './json-value.js';
import { readMainSteps } from './main-steps.js';
import { readParameterDefinitions } from './parameter-definitions.js';
import { collectParameterStoreReferences } from './parameter-references.js';
import { readRuntimeConfig } from './runtime-config.js';
import { isCommandSchemaVersion, unsupportedSchemaVersion } from './schema-versions.js';

export interface ParseDocumentOptions {
  /** The document's name (SSM's Name); every error message starts with it. */
  name: string;
  /** Detected when absent: a JSON object is JSON, anything else YAML (see document-text.ts). */
  format?: DocumentFormat;
  /** SSM's DocumentType. Default 'Command', as CreateDocument's. */
  documentType?: DocumentType;
}

const TOP_LEVEL_KEYS: Readonly<Record<'1.2' | '2.x', readonly string[]>> = {
  '1.2': ['schemaVersion', 'description', 'parameters', 'runtimeConfig', '$schema'],
  '2.x': ['schemaVersion', 'description', 'parameters', 'mainSteps', '$schema'],
};

/**
 * Throws DocumentError when the text cannot be read or the document is of a kind not parsed here, and
 * DocumentValidationError (a DocumentError listing every problem) when it is read but invalid.
 */
export function parseDocument(text: string, options: ParseDocumentOptions): CommandDocument {
  const { name } = options;
  const documentType = options.documentType ?? 'Command';
  if (documentType !== 'Command' && documentType !== 'Policy') {
    throw new DocumentError(name, { path: '', problem: `${documentType} documents are not supported yet (only Command and Policy)` });
  }
  const { content, format } = readDocumentText(text, name, options.format);

  const writtenVersion = ownValue(content, 'schemaVersion');
  if (typeof writtenVersion !== 'string') {
    const problem =
      writtenVersion === undefined
        ? 'schemaVersion is required (command documents use 1.2, 2.0 or 2.2)'
        : `schemaVersion must be text such as "2.2", not ${JSON.stringify(writtenVersion)} (in YAML, quote it: schemaVersion: '2.2')`;
    throw new DocumentValidationError(name, [{ path: 'schemaVersion', problem }]);
  }
  if (!isCommandSchemaVersion(writtenVersion)) {
    throw new DocumentValidationError(name, [{ path: 'schemaVersion', problem: unsupportedSchemaVersion(writtenVersion) }]);
  }
  const schemaVersion = writtenVersion;
  const problems: DocumentProblem[] = [];
  if (documentType === 'Policy' && schemaVersion === '1.2') {
    problems.push({ path: 'schemaVersion', problem: 'Policy documents use schemaVersion 2.0 or later' });
  }

  const allowedKeys = TOP_LEVEL_KEYS[schemaVersion === '1.2' ? '1.2' : '2.x'];
  for (const key of Object.keys(content)) {
    if (allowedKeys.includes(key)) continue;
    let hint = `; a schemaVersion ${schemaVersion} document has ${allowedKeys.filter((known) => known !== '$schema').join(', ')}`;
    if (key === 'runtimeConfig') hint = '; runtimeConfig is for schemaVersion 1.2, 2.x documents use mainSteps';
    if (key === 'mainSteps') hint = '; schemaVersion 1.2 documents use runtimeConfig (or change schemaVersion to 2.2)';
    problems.push({ path: key, problem: `unexpected top-level key "${key}"${hint}` });
  }

  const description = ownValue(content, 'description');
  if (description !== undefined && description !== null && typeof description !== 'string') {
    problems.push({ path: 'description', problem: 'description must be a string' });
  }

  const parameters = readParameterDefinitions(ownValue(content, 'parameters'), problems);
  const isDeclared = (parameter: string): boolean => Object.hasOwn(parameters, parameter);
  const steps =
    schemaVersion === '1.2'
      ? readRuntimeConfig(ownValue(content, 'runtimeConfig'), problems)
      : readMainSteps(ownValue(content, 'mainSteps'), schemaVersion, isDeclared, problems);

  if (problems.length > 0) throw new DocumentValidationError(name, problems);

  const documentTypeOut: CommandDocumentType = documentType;
  const document: CommandDocument = {
    documentType: documentTypeOut,
    name,
    format,
    schemaVersion,
    parameters,
    steps,
    actions: distinctActions(steps),
    references: referencesIn(parameters, steps),
    content,
  };
  if (typeof description === 'string') document.description = description;
  return document;
}

export function distinctActions(steps: readonly Step[]): string[] {
  return [...new Set(steps.map((step) => step.action))];
}

/** Parameter Store references where they take effect: defaults, inputs, settings, preconditions. */
function referencesIn(parameters: CommandDocument['parameters'], steps: readonly Step[]): string[] {
  const references: string[] = [];
  for (const definition of Object.values(parameters)) collectParameterStoreReferences(definition.default, references);
  for (const step of steps) {
    collectParameterStoreReferences(step.inputs, references);
    collectParameterStoreReferences(step.settings, references);
    for (const args of Object.values(step.precondition ?? {})) collectParameterStoreReferences([...args], references);
  }
  return references;
}
