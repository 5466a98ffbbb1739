/**
 * Where JSON text first goes wrong. JSON.parse says so only sometimes ("at position 42") and in wording that
 * changes between V8 versions; an author needs a line and a column every time. Used only after JSON.parse
 * has failed, so it favours being short over being fast.
 */

export interface JsonSyntaxPosition {
  line: number;
  column: number;
  /** What was found there: `unexpected "}"`, or that the text ended too early. */
  found: string;
}

class Stop {
  constructor(readonly offset: number) {}
}

export function jsonSyntaxPosition(text: string): JsonSyntaxPosition | undefined {
  let offset: number;
  try {
    let i = skipSpace(text, 0);
    i = value(text, i);
    i = skipSpace(text, i);
    if (i === text.length) return undefined;
    offset = i;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    offset = error.offset;
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const found = offset >= text.length ? 'the text ends too early' : `unexpected ${JSON.stringify(text[offset])}`;
  return { line, column, found };
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  return i;
}

function expect(text: string, i: number, char: string): number {
  if (text[i] !== char) throw new Stop(i);
  return i + 1;
}

function value(text: string, i: number): number {
  const char = text[i];
  if (char === '{') return object(text, i);
  if (char === '[') return array(text, i);
  if (char === '"') return string(text, i);
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, i)) return i + literal.length;
  }
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  number.lastIndex = i;
  if (number.test(text)) return number.lastIndex;
  throw new Stop(i);
}

function object(text: string, i: number): number {
  i = skipSpace(text, i + 1);
  if (text[i] === '}') return i + 1;
  for (;;) {
    i = string(text, i);
    i = expect(text, skipSpace(text, i), ':');
    i = skipSpace(text, value(text, skipSpace(text, i)));
    if (text[i] === '}') return i + 1;
    i = skipSpace(text, expect(text, i, ','));
  }
}

function array(text: string, i: number): number {
  i = skipSpace(text, i + 1);
  if (text[i] === ']') return i + 1;
  for (;;) {
    i = skipSpace(text, value(text, i));
    if (text[i] === ']') return i + 1;
    i = skipSpace(text, expect(text, i, ','));
  }
}

function string(text: string, i: number): number {
  i = expect(text, i, '"');
  for (;;) {
    const char = text[i];
    if (char === undefined || char < ' ') throw new Stop(i);
    if (char === '"') return i + 1;
    if (char === '\\') {
      const escape = text[i + 1];
      if (escape === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Stop(i);
        i += 6;
      } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) i += 2;
      else throw new Stop(i);
    } else i++;
  }
}
