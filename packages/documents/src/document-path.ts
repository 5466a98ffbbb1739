/**
 * Paths into a document, written the way a reader finds the place: `mainSteps[2].inputs.runCommand`,
 * `parameters.Foo.allowedPattern`, `runtimeConfig.aws:runShellScript.properties[0]`. A key that would make the
 * path ambiguous (a dot, a bracket, a space, or nothing at all) is written as `["a.b"]`.
 */

export type PathSegment = string | number;

const PLAIN_KEY = /^[^.[\]\s"]+$/;

export function formatPath(segments: readonly PathSegment[]): string {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
