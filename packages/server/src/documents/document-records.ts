/**
 * What the Documents API stores. A document is one small record (its versions' metadata, default and latest
 * version, tags) in the `documents` table; each version's text lives in `document-contents` under
 * `<name>/<sha256>`, written before the record that refers to it, so a crash between the two leaves at most an
 * unreferenced text, never a version without its content. Versions with the same text share one entry.
 */
import type { CommandDocumentType, DocumentFormat, PlatformType } from '@tender/documents';
import type { Tag } from '../api/validate.js';

/** DescribeDocument's Parameters entry. DefaultValue is always text: JSON for lists and maps. */
export interface DocumentParameterSummary {
  Name: string;
  Type: string;
  Description?: string;
  DefaultValue?: string;
}

export interface DocumentVersionRecord {
  /** "1", "2", ...: numbers as text, as SSM writes them. */
  DocumentVersion: string;
  VersionName?: string;
  DisplayName?: string;
  TargetType?: string;
  CreatedDate: string;
  DocumentFormat: DocumentFormat;
  /** sha256 (hex) of the content exactly as it was given. */
  Hash: string;
  SchemaVersion: string;
  Description?: string;
  Parameters: DocumentParameterSummary[];
  PlatformTypes: PlatformType[];
}

export interface DocumentRecord {
  Name: string;
  /** The account that created it, or "Amazon" for a built-in document. */
  Owner: string;
  DocumentType: CommandDocumentType;
  CreatedDate: string;
  DefaultVersion: string;
  LatestVersion: string;
  /** The highest version number ever given: numbers are not reused after a version is deleted. */
  lastVersionNumber: number;
  Tags: Tag[];
  /** In version order. */
  versions: DocumentVersionRecord[];
}

export interface DocumentContentRecord {
  Name: string;
  Hash: string;
  Content: string;
}

export const AMAZON_OWNER = 'Amazon';
