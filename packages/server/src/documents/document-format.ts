/**
 * GetDocument's DocumentFormat: a document is served as it was written, or converted between JSON and YAML.
 *
 * YAML is written the YAML 1.1 way, because that is how SSM Agent, PyYAML and @tender/documents read it: a
 * string such as `yes`, `on`, `0755` or `1:30` is quoted, so it reads back as the same string and not as a
 * boolean or a number. Lines are never folded, so scripts come back exactly as they went in.
 */
import type { DocumentFormat, JsonObject } from '@tender/documents';
import { stringify } from 'yaml';

export function renderDocument(content: JsonObject, format: DocumentFormat): string {
  if (format === 'JSON') return JSON.stringify(content, null, 2);
  return stringify(content, { version: '1.1', lineWidth: 0, minContentWidth: 0 });
}
