/**
 * Reading a document's text into JSON values. The caller passes the text (this package reads nothing from
 * disk) and, if it knows it, the format; otherwise the format is detected:
 *
 *   - text that parses as a JSON object is JSON;
 *   - anything else is YAML (YAML's flow style also reads JSON-like text with trailing commas, as AWS's own
 *     awsdocs-DomainJoinPlugin.yaml has);
 *   - when neither reads it and it starts with `{`, the JSON error is reported: its author meant JSON.
 *
 * YAML is read the YAML 1.1 way, as PyYAML and SnakeYAML read AWS's documents (see yaml-1-1-scalars.ts), and
 * must convert to plain JSON values.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { DocumentError } from './document-errors.js';
import type { DocumentFormat } from './document-model.js';
import { formatPath } from './document-path.js';
import type { PathSegment } from './document-path.js';
import { isJsonObject, jsonObjectFrom } from './json-value.js';
import { jsonSyntaxPosition } from './json-syntax-position.js';
import type { JsonObject, JsonValue } from './json-value.js';
import { withPyYamlScalars } from './yaml-1-1-scalars.js';

/**
 * The YAML parser is loaded on first use: the agent only ever receives JSON (the control plane converts), and the
 * parser costs an idle agent memory it has none to spare for.
 */
let yamlModule: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yamlModule;
}

export interface DocumentText {
  content: JsonObject;
  format: DocumentFormat;
}

export function readDocumentText(text: string, document: string, format?: DocumentFormat): DocumentText {
  // A byte-order mark is not content; editors on Windows add one.
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (format === 'JSON') return { content: readJson(source, document), format };
  if (format === 'YAML') return { content: readYaml(source, document), format };
  let jsonError: DocumentError | undefined;
  try {
    return { content: readJson(source, document), format: 'JSON' };
  } catch (error) {
    jsonError = error as DocumentError;
  }
  try {
    return { content: readYaml(source, document), format: 'YAML' };
  } catch (yamlError) {
    throw source.trimStart().startsWith('{') ? jsonError : yamlError;
  }
}

function readJson(source: string, document: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new DocumentError(document, { path: '', problem: `invalid JSON: ${jsonSyntaxProblem(source, error)}` });
  }
  if (!isJsonObject(value)) {
    throw new DocumentError(document, { path: '', problem: `a document must be a JSON object, not ${describe(value)}` });
  }
  return value;
}

function jsonSyntaxProblem(source: string, error: unknown): string {
  const position = jsonSyntaxPosition(source);
  if (position) return `${position.found} at line ${position.line}, column ${position.column}`;
  return error instanceof Error ? error.message : String(error);
}

function readYaml(source: string, document: string): JsonObject {
  const parsed = yaml().parseDocument(source, {
    version: '1.1',
    schema: 'yaml-1.1',
    customTags: withPyYamlScalars,
    merge: true,
    uniqueKeys: true,
  });
  // Warnings are refused too: they are unknown tags and directives, which PyYAML's safe_load refuses as well.
  const first = parsed.errors[0] ?? parsed.warnings[0];
  if (first) {
    const problem = first.message.split('\n')[0]!.replace(/:$/, '');
    throw new DocumentError(document, { path: '', problem: `invalid YAML: ${problem}` });
  }
  keepMissingFinalLineBreakMissing(parsed.contents, source);
  let value: unknown;
  try {
    value = parsed.toJS();
  } catch (error) {
    // e.g. more aliases than maxAliasCount allows (the "billion laughs" defence).
    throw new DocumentError(document, { path: '', problem: `invalid YAML: ${(error as Error).message}` });
  }
  if (!isJsonObject(value)) {
    throw new DocumentError(document, { path: '', problem: `a document must be a YAML mapping, not ${describe(value)}` });
  }
  return toJsonObject(value, [], document);
}

/**
 * A block scalar (`|` or `>`) that ends the file without a final line break has no final line break to keep,
 * so PyYAML gives `...}` where the `yaml` package gives `...}\n`. Several AWS YAML files end this way.
 */
function keepMissingFinalLineBreakMissing(contents: unknown, source: string): void {
  if (/[\r\n]$/.test(source)) return;
  const { Scalar, isScalar, visit } = yaml();
  visit(contents as Parameters<typeof visit>[0], {
    Scalar(_key, node) {
      const atEnd = node.range !== undefined && node.range !== null && node.range[1] >= source.length;
      const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
      if (atEnd && block && isScalar(node) && typeof node.value === 'string' && node.value.endsWith('\n')) {
        node.value = node.value.slice(0, -1);
      }
    },
  });
}

/** Checks that a YAML value is plain JSON: no dates, binary, sets, ordered maps, infinities or NaN. */
function toJsonValue(value: unknown, path: PathSegment[], document: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw notJson(document, path, `${value} is not a number JSON can hold`);
  }
  if (Array.isArray(value)) return value.map((item, index) => toJsonValue(item, [...path, index], document));
  if (isJsonObject(value) && Object.getPrototypeOf(value) === Object.prototype) return toJsonObject(value, path, document);
  throw notJson(document, path, `${describe(value)} is not a JSON value (SSM stores documents as JSON)`);
}

function toJsonObject(value: object, path: PathSegment[], document: string): JsonObject {
  return jsonObjectFrom(
    Object.entries(value).map(([key, item]) => [key, toJsonValue(item, [...path, key], document)] as const),
  );
}

function notJson(document: string, path: PathSegment[], problem: string): DocumentError {
  return new DocumentError(document, { path: formatPath(path), problem });
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'an empty document';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'an ordered map (!!omap)';
  if (value instanceof Set) return 'a set (!!set)';
  if (value instanceof Uint8Array) return 'binary data (!!binary)';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'non-plain'} object`;
  return `a ${typeof value} (${JSON.stringify(value)})`;
}
