/**
 * How plain (unquoted) YAML scalars become values, the YAML 1.1 way that PyYAML's safe_load and SnakeYAML
 * (which AWS's own tooling uses) resolve them. The `yaml` package's 1.1 schema differs in ways that change
 * real documents: it reads `y`/`n` as booleans, `1e3` and `1.5e3` as numbers and `012345678` as a number,
 * where PyYAML keeps all of these as strings. These tags replace its null/bool/int/float resolution with
 * PyYAML's regular expressions (resolver.py) and constructors (constructor.py).
 *
 * Timestamps are deliberately not resolved: `2024-01-01` stays a string, because SSM serves documents as JSON
 * and JSON has no date type.
 */
import type { ScalarTag, Tags } from 'yaml';

const NULL = /^(?:~|null|Null|NULL|)$/;
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** Splits a sign off the front, as PyYAML's constructors do. */
function signed(text: string): { sign: 1 | -1; digits: string } {
  if (text.startsWith('-')) return { sign: -1, digits: text.slice(1) };
  if (text.startsWith('+')) return { sign: 1, digits: text.slice(1) };
  return { sign: 1, digits: text };
}

/** `1:30:00` style base-60 numbers, a YAML 1.1 feature PyYAML keeps. */
function sexagesimal(parts: readonly number[]): number {
  return parts.reduce((total, part) => total * 60 + part, 0);
}

function resolveInt(text: string): number {
  const { sign, digits } = signed(text.replaceAll('_', ''));
  if (digits === '0') return 0;
  if (digits.startsWith('0b')) return sign * parseInt(digits.slice(2), 2);
  if (digits.startsWith('0x')) return sign * parseInt(digits.slice(2), 16);
  if (digits.startsWith('0')) return sign * parseInt(digits, 8);
  if (digits.includes(':')) return sign * sexagesimal(digits.split(':').map(Number));
  return sign * Number(digits);
}

function resolveFloat(text: string): number {
  const { sign, digits } = signed(text.replaceAll('_', '').toLowerCase());
  if (digits === '.inf') return sign * Infinity;
  if (digits === '.nan') return NaN;
  if (digits.includes(':')) return sign * sexagesimal(digits.split(':').map(Number));
  return sign * Number(digits);
}

const pyyamlTags: ScalarTag[] = [
  { tag: 'tag:yaml.org,2002:null', default: true, test: NULL, resolve: () => null },
  { tag: 'tag:yaml.org,2002:bool', default: true, test: BOOL, resolve: (text) => /^(?:yes|true|on)$/i.test(text) },
  { tag: 'tag:yaml.org,2002:int', default: true, test: INT, resolve: resolveInt },
  { tag: 'tag:yaml.org,2002:float', default: true, test: FLOAT, resolve: resolveFloat },
];

const REPLACED = new Set([
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:timestamp',
]);

/** For the `customTags` option of the `yaml` package, with `schema: 'yaml-1.1'`. */
export function withPyYamlScalars(tags: Tags): Tags {
  return [...pyyamlTags, ...tags.filter((tag) => typeof tag === 'string' || !REPLACED.has(tag.tag))];
}
