import { stat } from 'node:fs/promises';
import path from 'node:path';

/** The folder, under the orchestration directory, where relative destinations (and the default) go, as in SSM. */
export const DOWNLOADS_FOLDER = 'downloads';

/** The file name a URL suggests: its last path segment, or "download". */
export function fileNameFromUrl(url: URL): string {
  const segments = url.pathname.split('/').filter((s) => s !== '');
  let name = segments.length > 0 ? segments[segments.length - 1]! : '';
  try {
    name = decodeURIComponent(name);
  } catch {
    // keep it encoded
  }
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) return 'download';
  return name;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Where the file goes. No destinationPath: `<orchestration>/downloads/<name from URL>`. A relative one is resolved
 * under that downloads folder and may not leave it; an absolute one is used as it is. A destination that ends
 * with a separator or is an existing directory gets the URL's file name appended.
 */
export async function resolveDestination(
  orchestrationDirectory: string,
  destinationPath: string | undefined,
  url: URL,
): Promise<{ path: string } | { problem: string }> {
  const root = path.resolve(orchestrationDirectory, DOWNLOADS_FOLDER);
  const name = fileNameFromUrl(url);
  if (destinationPath === undefined) return { path: path.join(root, name) };

  const endsWithSeparator = /[/\\]$/.test(destinationPath);
  let target: string;
  if (path.isAbsolute(destinationPath)) {
    target = path.resolve(destinationPath);
  } else {
    target = path.resolve(root, destinationPath);
    const relative = path.relative(root, target);
    if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      return { problem: `destinationPath ${destinationPath} leaves the downloads folder ${root}` };
    }
  }
  if (endsWithSeparator || target === root || (await isDirectory(target))) target = path.join(target, name);
  return { path: target };
}
