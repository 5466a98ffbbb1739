/**
 * A control-plane document named in a step's inputs, as SSM writes it: a name or an ARN, optionally with
 * `:<version>` (a number, `$LATEST` or `$DEFAULT`), as in `{"name": "MyDocument:3"}` or documentPath
 * `arn:aws:ssm:eu-west-1:123456789012:document/MyDocument`. Tender also takes the version as a separate field.
 */
export interface DocumentReference {
  name: string;
  /** Absent: the document's default version. */
  version: string | undefined;
}

const WITH_VERSION = /^(.+):([1-9][0-9]*|\$LATEST|\$DEFAULT)$/;
const VERSION = /^([1-9][0-9]*|\$LATEST|\$DEFAULT)$/;

/** `what` names the input in messages, e.g. "sourceInfo.name". */
export function parseDocumentReference(text: unknown, version: unknown, what: string): DocumentReference | { problem: string } {
  if (typeof text !== 'string' || text.trim() === '') return { problem: `${what} is required: the name of a document in the control plane` };
  let name = text.trim();
  let fromName: string | undefined;
  const match = WITH_VERSION.exec(name);
  if (match) {
    name = match[1]!;
    fromName = match[2]!;
  }
  let given: string | undefined;
  if (version !== undefined && version !== null && version !== '') {
    if (typeof version === 'number' && Number.isInteger(version) && version > 0) given = String(version);
    else if (typeof version === 'string' && VERSION.test(version.trim())) given = version.trim();
    else return { problem: `the version ${JSON.stringify(version)} is not a document version (a number, $LATEST or $DEFAULT)` };
  }
  if (fromName !== undefined && given !== undefined && fromName !== given) {
    return { problem: `${what} ${text.trim()} names version ${fromName} but the version given is ${given}` };
  }
  return { name, version: given ?? fromName };
}

/** A safe file name for a document: the part after an ARN's `document/`, with anything odd made `_`. */
export function documentFileName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '');
  return `${base === '' ? 'document' : base}.json`;
}
