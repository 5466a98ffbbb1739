/**
 * Which schemaVersion means which kind of document. Command documents use 1.2, 2.0 and 2.2 (SSM's documented
 * set); Policy documents the same schema from 2.0 on. SSM Agent also runs 1.0 and the configurePackage-internal
 * 2.0.1-2.0.3, which SSM no longer accepts for new documents, so neither does Tender.
 */
import type { CommandSchemaVersion, DocumentType } from './document-model.js';

export const COMMAND_SCHEMA_VERSIONS: readonly CommandSchemaVersion[] = ['1.2', '2.0', '2.2'];

/** Kinds Tender will parse later, so their schemaVersions get a precise refusal rather than "unsupported". */
const OTHER_KINDS: Readonly<Record<string, DocumentType>> = {
  '0.3': 'Automation',
  '1.0': 'Session',
};

export function isCommandSchemaVersion(version: string): version is CommandSchemaVersion {
  return (COMMAND_SCHEMA_VERSIONS as readonly string[]).includes(version);
}

/** The sentence for a schemaVersion that is not a command document's. */
export function unsupportedSchemaVersion(version: string): string {
  const supported = COMMAND_SCHEMA_VERSIONS.join(', ');
  const kind = Object.hasOwn(OTHER_KINDS, version) ? OTHER_KINDS[version] : undefined;
  if (kind) {
    return `schemaVersion ${version} is the ${kind} document schema, which Tender does not parse yet; command documents use ${supported}`;
  }
  return `unsupported schemaVersion ${JSON.stringify(version)}; command documents use ${supported}`;
}
