import assert from 'node:assert/strict';
import { ParameterError, ParameterStoreUsageError, replaceParameterStoreReferences, splitStringList, type ParameterStoreValue } from '../src/index.js';

const values = new Map<string, ParameterStoreValue>([
  ['ssm:/app/host', { name: '/app/host', type: 'String', value: 'db.internal' }],
  ['ssm:/app/host:2', { name: '/app/host', type: 'String', value: 'db-v2.internal' }],
  ['ssm:cmds', { name: 'cmds', type: 'StringList', value: "uptime, 'echo a,b' ,whoami" }],
  ['ssm-secure:pw', { name: 'pw', type: 'SecureString', value: 's3cr3t' }],
]);
const where = { document: 'Doc', place: 'parameter "commands"' };

describe('Parameter Store values in place of their references (SSM Agent rules)', () => {
  it('replaces every reference it has a value for inside strings, spaces in the braces allowed', () => {
    assert.equal(replaceParameterStoreReferences('ping {{ssm:/app/host}} {{ ssm:/app/host:2 }}', values, where), 'ping db.internal db-v2.internal');
    assert.equal(replaceParameterStoreReferences('pw={{ssm-secure:pw}}', values, where), 'pw=s3cr3t');
  });

  it('leaves references it has no value for as written, and other {{ }} text alone', () => {
    const only = new Map([...values].filter(([reference]) => reference.startsWith('ssm:')));
    assert.equal(replaceParameterStoreReferences('{{ssm-secure:pw}} {{ssm:other}} {{ name }}', only, where), '{{ssm-secure:pw}} {{ssm:other}} {{ name }}');
  });

  it('turns a list item that is exactly a StringList reference into its items; single quotes keep commas', () => {
    assert.deepEqual(replaceParameterStoreReferences(['date', ' {{ssm:cmds}} ', 'echo {{ssm:/app/host}}'], values, where), ['date', 'uptime', 'echo a,b', 'whoami', 'echo db.internal']);
    assert.deepEqual(splitStringList("a,b,'c,d'"), ['a', 'b', 'c,d']);
  });

  it('refuses a StringList inside a string, with SSM sentence, as a ParameterError', () => {
    assert.throws(
      () => replaceParameterStoreReferences(['echo {{ssm:cmds}}'], values, where),
      (error: unknown) => error instanceof ParameterStoreUsageError && error instanceof ParameterError && /SSM parameter cmds of type StringList cannot be used as a String \(\{\{ssm:cmds\}\} in parameter "commands"\)/.test(error.message),
    );
    assert.throws(() => replaceParameterStoreReferences('{{ssm:cmds}}', values, where), ParameterStoreUsageError);
  });

  it('walks maps and lists of maps; numbers, booleans and null stay as they are', () => {
    assert.deepEqual(replaceParameterStoreReferences({ a: ['{{ssm:cmds}}'], b: [{ c: '{{ssm:/app/host}}' }], n: 3, t: true, z: null }, values, where), {
      a: ['uptime', 'echo a,b', 'whoami'],
      b: [{ c: 'db.internal' }],
      n: 3,
      t: true,
      z: null,
    });
  });

  it('is one pass: a value that holds a reference is not expanded again', () => {
    const nested = new Map<string, ParameterStoreValue>([['ssm:a', { name: 'a', type: 'String', value: '{{ssm:b}}' }], ['ssm:b', { name: 'b', type: 'String', value: 'no' }]]);
    assert.equal(replaceParameterStoreReferences('{{ssm:a}}', nested, where), '{{ssm:b}}');
  });
});
