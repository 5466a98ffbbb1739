import type { JsonObject } from '../json-value.js';

/**
 * AWS-RunDocument, written for Tender, with SSM's parameter names. SSM fetches the document from GitHub, S3 or
 * SSM; Tender fetches it from its own control plane (SSMDocument) or from an HTTP(S) URL, checked against the
 * SHA-256 given in sourceInfo. Either way the document is downloaded first (into the command's downloads folder,
 * as the file "ssmdocument") and then run as a local file, like SSM's. GitHub and S3 stay allowed values, as in
 * AWS's document, so that a command written for AWS is accepted and its downloadContent step fails saying that
 * Tender does not support that source.
 */
export const RUN_DOCUMENT: JsonObject = {
  schemaVersion: '2.2',
  description:
    'Downloads a command document and runs it. sourceType SSMDocument: a document stored in this control plane, sourceInfo {"name": "MyDocument"} (optionally "name": "MyDocument:3" for a version). sourceType HTTP: sourceInfo {"url": "https://...", "sha256": "<hex>"}. JSON and YAML documents are supported.',
  parameters: {
    sourceType: {
      type: 'String',
      description: '(Required) Where the document comes from: SSMDocument or HTTP. (GitHub and S3 are not supported by Tender: the download step fails.)',
      allowedValues: ['GitHub', 'S3', 'SSMDocument', 'HTTP'],
    },
    sourceInfo: {
      type: 'StringMap',
      description: '(Required) Where to find the document: {"name": ...} for SSMDocument, {"url": ..., "sha256": ...} for HTTP.',
      displayType: 'textarea',
      default: {},
    },
    documentParameters: {
      type: 'StringMap',
      description: '(Optional) Parameters for the document that is run.',
      displayType: 'textarea',
      default: {},
    },
  },
  mainSteps: [
    {
      action: 'aws:downloadContent',
      name: 'downloadContent',
      inputs: {
        sourceType: '{{ sourceType }}',
        sourceInfo: '{{ sourceInfo }}',
        destinationPath: 'ssmdocument',
      },
    },
    {
      action: 'aws:runDocument',
      name: 'runDocument',
      inputs: {
        documentType: 'LocalPath',
        documentPath: 'ssmdocument',
        documentParameters: '{{ documentParameters }}',
      },
    },
  ],
};
