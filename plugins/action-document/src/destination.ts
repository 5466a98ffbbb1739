import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ActionContext } from '@tender/plugin-api';

/** The folder, under the orchestration directory, where relative destinations (and the default) go, as in SSM. */
export const DOWNLOADS_FOLDER = 'downloads';

/**
 * Where relative destinations (and the default) go: the command's downloads folder, which the runner shares
 * between the steps (so aws:runDocument finds what aws:downloadContent fetched), else the step's own.
 */
export function downloadsFolderOf(context: Pick<ActionContext, 'downloadsDirectory' | 'orchestrationDirectory'>): string {
  return path.resolve(context.downloadsDirectory ?? path.join(context.orchestrationDirectory, DOWNLOADS_FOLDER));
}

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
 * Where the file goes. No destinationPath: `<downloads>/<name>`. A relative one is resolved under that downloads
 * folder and may not leave it; an absolute one is used as it is. A destination that ends with a separator or is
 * an existing directory gets `name` appended. `name` is the URL's file name, or the document's for SSMDocument.
 */
export async function resolveDestination(
  downloadsFolder: string,
  destinationPath: string | undefined,
  name: string,
): Promise<{ path: string } | { problem: string }> {
  const root = path.resolve(downloadsFolder);
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
