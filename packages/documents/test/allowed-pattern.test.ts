import assert from 'node:assert/strict';
import { compileAllowedPattern } from '../src/allowed-pattern.js';

function regexp(pattern: string): RegExp {
  const compiled = compileAllowedPattern(pattern);
  if ('problem' in compiled) assert.fail(`${pattern}: ${compiled.problem}`);
  return compiled.regexp;
}

function problem(pattern: string): string {
  const compiled = compileAllowedPattern(pattern);
  if ('problem' in compiled) return compiled.problem;
  return assert.fail(`${pattern} compiled, expected a problem`);
}

describe('allowedPattern (RE2 syntax in JavaScript)', () => {
  it('searches like Go MatchString: unanchored patterns match part of a value', () => {
    // AWS-RunShellScript's executionTimeout pattern is unanchored.
    const timeout = regexp('([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)');
    assert.ok(timeout.test('3600'));
    assert.ok(timeout.test('abc1'));
    assert.ok(!timeout.test('0'));
  });

  it('keeps anchored patterns strict, including against a trailing newline', () => {
    const alnum = regexp('^[a-zA-Z0-9]+$');
    assert.ok(alnum.test('abc123'));
    assert.ok(!alnum.test('x; touch /tmp/pwned'));
    assert.ok(!alnum.test('abc\n'));
  });

  it('uses the u flag when it can, so Unicode classes work as in RE2', () => {
    const letters = regexp('^\\p{L}+$');
    assert.ok(letters.flags.includes('u'));
    assert.ok(letters.test('héllo'));
    assert.ok(regexp('^\\pL+$').test('é'));
  });

  it('falls back to no u flag for escapes RE2 and Java allow but JavaScript u-mode does not', () => {
    const dashed = regexp('^[a-z]+\\-[0-9]+$');
    assert.equal(dashed.flags.includes('u'), false);
    assert.ok(dashed.test('ab-12'));
  });

  it('translates RE2-only syntax', () => {
    assert.ok(regexp('(?i)^abc$').test('ABC'));
    assert.ok(regexp('^(?P<year>[0-9]{4})$').test('2024'));
    assert.ok(regexp('\\Aab\\z').test('ab'));
    assert.ok(!regexp('\\Aab\\z').test('ab\n'));
    const posix = regexp('^[[:alpha:]_][[:alnum:]_]*$');
    assert.ok(posix.test('_a1'));
    assert.ok(!posix.test('1a'));
    assert.ok(regexp('^[]a]+$').test(']a'));
  });

  it('refuses what RE2 refuses or cannot mean here', () => {
    assert.match(problem('^(?=a)a$'), /lookaround/);
    assert.match(problem('(?<!a)b'), /lookaround/);
    assert.match(problem('^(a)\\1$'), /backreference/);
    assert.match(problem('^a(?i)b$'), /inline flag group/);
    assert.match(problem('(?U)a+'), /inline flag \(\?U\)/);
    assert.match(problem('[[:^alpha:]]'), /character class/);
    assert.match(problem('a\\'), /lone backslash/);
    assert.match(problem('a{2,1}'), /not a valid regular expression/);
  });
});
