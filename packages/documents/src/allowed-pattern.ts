/**
 * allowedPattern, compiled for JavaScript. SSM checks patterns twice: with Java's regex at the API and with Go's
 * regexp (RE2) in SSM Agent before running anything. A pattern must therefore work in RE2, and mean the same
 * here. The RE2 syntax JavaScript lacks is translated; what RE2 itself refuses (backreferences, lookaround) is
 * refused here too, because SSM Agent would fail every run of such a document.
 *
 *   RE2                     here
 *   (?P<name>...)           (?<name>...)
 *   (?i) (?s) (?m) at start the i / s / m flags
 *   \A  \z                  ^  $   ($ without the m flag is end of input in JavaScript, as \z is in RE2)
 *   [[:alpha:]] etc.        [A-Za-z] etc.
 *   \pL                     \p{L}
 *
 * Like RE2's MatchString, the pattern is searched for anywhere in the value unless it is anchored: `[0-9]+`
 * accepts `a1`. The 'u' flag is used when the pattern compiles with it (so `\p{L}` and astral characters work as
 * in RE2), and left off only for patterns that are valid without it, such as `\-` outside a class.
 */

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@[-\\x60{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

export type CompiledPattern = { regexp: RegExp } | { problem: string };

export function compileAllowedPattern(pattern: string): CompiledPattern {
  const translated = translateRe2(pattern);
  if ('problem' in translated) return translated;
  const { source, flags } = translated;
  try {
    return { regexp: new RegExp(source, `${flags}u`) };
  } catch {
    try {
      return { regexp: new RegExp(source, flags) };
    } catch (error) {
      const reason = (error as Error).message.replace(/^Invalid regular expression: /, '');
      return { problem: `allowedPattern is not a valid regular expression: ${reason}` };
    }
  }
}

function translateRe2(pattern: string): { source: string; flags: string } | { problem: string } {
  let rest = pattern;
  let flags = '';
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(rest);
  if (leading) {
    for (const flag of leading[1]!) {
      if (!'ims'.includes(flag)) return { problem: `allowedPattern uses the inline flag (?${flag}), which is not supported here` };
      if (!flags.includes(flag)) flags += flag;
    }
    rest = rest.slice(leading[0].length);
  }

  let source = '';
  let inClass = false;
  let classStart = 0;
  for (let i = 0; i < rest.length; i++) {
    const char = rest[i]!;
    const next = rest[i + 1];
    if (char === '\\') {
      if (next === undefined) return { problem: 'allowedPattern ends with a lone backslash' };
      if (!inClass && next >= '1' && next <= '9') {
        return { problem: `allowedPattern uses a backreference (\\${next}), which SSM Agent's Go regexp (RE2) does not support` };
      }
      if (next === 'Q' || next === 'E' || next === 'C' || next === 'Z') {
        return { problem: `allowedPattern uses \\${next}, which is not supported here` };
      }
      if (!inClass && next === 'A') source += '^';
      else if (!inClass && next === 'z') source += '$';
      else if ((next === 'p' || next === 'P') && rest[i + 2] !== undefined && rest[i + 2] !== '{') {
        source += `\\${next}{${rest[i + 2]}}`;
        i += 1;
      } else source += char + next;
      i += 1;
      continue;
    }
    if (inClass) {
      if (char === '[' && next === ':') {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(rest.slice(i));
        if (posix) {
          const range = POSIX_CLASSES[posix[2]!];
          if (posix[1] === '^' || range === undefined) {
            return { problem: `allowedPattern uses the character class ${posix[0]}, which is not supported here` };
          }
          source += range;
          i += posix[0].length - 1;
          continue;
        }
      }
      // A ] right after [ or [^ is a literal in RE2 and Java; JavaScript would read it as the end of the class.
      if (char === ']' && i > classStart) inClass = false;
      source += char === ']' && i === classStart ? '\\]' : char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      classStart = next === '^' ? i + 2 : i + 1;
      source += next === '^' ? '[^' : '[';
      if (next === '^') i += 1;
      continue;
    }
    if (char === '(' && next === '?') {
      const group = rest.slice(i, i + 4);
      if (group.startsWith('(?P<')) {
        source += '(?<';
        i += 3;
        continue;
      }
      if (group.startsWith('(?=') || group.startsWith('(?!') || group.startsWith('(?<=') || group.startsWith('(?<!')) {
        return { problem: "allowedPattern uses lookaround ((?=, (?!, (?<=, (?<!), which SSM Agent's Go regexp (RE2) does not support" };
      }
      if (!group.startsWith('(?:') && !group.startsWith('(?<')) {
        return { problem: 'allowedPattern uses an inline flag group; only (?i), (?s) and (?m) at the very start are supported' };
      }
    }
    source += char;
  }
  return { source, flags };
}
