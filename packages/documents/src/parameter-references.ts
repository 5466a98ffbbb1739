/**
 * The two kinds of `{{ ... }}` a command document contains.
 *
 * Document parameters: `{{ name }}` or `{{name}}`, any whitespace inside the braces. SSM Agent substitutes only
 * names of letters and digits (its paramNameRegex `^[a-zA-Z0-9]+$`), so that is what a reference is here too;
 * anything else in braces (`{{ item }}` in a Jinja template inside a script, `{{ global:DATE }}`) is text.
 *
 * Parameter Store: `{{ssm:name}}`, `{{ssm:name:3}}` (version), `{{ssm:name:label}}`, `{{ssm-secure:name}}`, with
 * SSM Agent's character set `[/\w.:-]`. They are resolved by the control plane at dispatch, never here.
 */
import type { JsonValue } from './json-value.js';

const SINGLE_PARAMETER = /^\{\{\s*([a-zA-Z0-9]+)\s*\}\}$/;

/** A fresh /g regular expression each time: a shared one would carry lastIndex between callers. */
export function parameterReferencePattern(): RegExp {
  return /\{\{\s*([a-zA-Z0-9]+)\s*\}\}/g;
}

function parameterStoreReferencePattern(): RegExp {
  return /\{\{\s*(ssm(?:-secure)?:[/\w.:-]+)\s*\}\}/g;
}

/** The parameter name when the whole string is one reference (`"{{ commands }}"`), else undefined. */
export function singleParameterReference(text: string): string | undefined {
  return SINGLE_PARAMETER.exec(text)?.[1];
}

/** Names referenced as `{{ name }}` in a string, in order, with repeats. */
export function parameterNamesIn(text: string): string[] {
  return [...text.matchAll(parameterReferencePattern())].map((match) => match[1]!);
}

export function containsParameterStoreReference(text: string): boolean {
  return parameterStoreReferencePattern().test(text);
}

/** Adds the Parameter Store references found anywhere in a value (strings inside lists and maps too). */
export function collectParameterStoreReferences(value: JsonValue | undefined, into: string[]): void {
  if (typeof value === 'string') {
    for (const match of value.matchAll(parameterStoreReferencePattern())) {
      if (!into.includes(match[1]!)) into.push(match[1]!);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) collectParameterStoreReferences(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectParameterStoreReferences(item, into);
  }
}

export interface ParameterStoreReference {
  /** `ssm-secure:` references name SecureString parameters, decrypted only on the target agent. */
  secure: boolean;
  /** The parameter's name or path, e.g. `/app/db-host`. */
  name: string;
  /** What follows a second colon: a version number (`3`) or a label (`prod`). */
  selector?: string;
}

/**
 * Splits a reference as listed in `CommandDocument.references` (`ssm:/app/db-host:3`). Parameter Store names
 * cannot contain a colon, so the first colon after the prefix starts the selector.
 */
export function parseParameterStoreReference(reference: string): ParameterStoreReference | undefined {
  const match = /^(ssm|ssm-secure):([/\w.-]+)(?::([\w.-]+))?$/.exec(reference);
  if (!match) return undefined;
  const parsed: ParameterStoreReference = { secure: match[1] === 'ssm-secure', name: match[2]! };
  if (match[3] !== undefined) parsed.selector = match[3];
  return parsed;
}
