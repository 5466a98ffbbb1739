import { parseDocument, type CommandDocument } from '@tender/documents';

/** How many documents are kept parsed: a fleet's commands use a handful again and again. */
const KEPT_DOCUMENTS = 32;

/**
 * Command documents parsed and checked once, and then looked up by name and text: an agent runs the same few
 * documents (AWS-RunShellScript above all) over and over, and parsing one is a quarter of a millisecond of a small
 * VM's time on every command's path. The most recently used are kept. A kept document is deeply frozen, since every
 * run of it shares its steps and parameters: code that tried to change them would throw instead of changing the
 * next run's document. A document that does not parse is not kept; its error is thrown each time.
 */
export class ParsedDocuments {
  private readonly kept = new Map<string, CommandDocument>();

  constructor(private readonly limit = KEPT_DOCUMENTS) {}

  /** parseDocument(text, { name }), from the ones kept when it can be. */
  parse(text: string, name: string): CommandDocument {
    // The name is part of the key: error messages and the parsed document carry it.
    const key = `${name}\u0000${text}`;
    const known = this.kept.get(key);
    if (known !== undefined) {
      this.kept.delete(key); // most recently used last, so the first is the one to drop
      this.kept.set(key, known);
      return known;
    }
    const document = deepFreeze(parseDocument(text, { name }));
    this.kept.set(key, document);
    if (this.kept.size > this.limit) this.kept.delete(this.kept.keys().next().value!);
    return document;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
