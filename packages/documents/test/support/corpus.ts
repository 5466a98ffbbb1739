/**
 * Where the shared SSM corpus lives: ../shared/ssm-corpus beside the repository. The compiled tests run from
 * packages/documents/dist/test/..., so the repository root is found by walking up from this file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'packages', 'documents', 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no repository root above ${start}`);
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
export const CORPUS_DIR = path.resolve(REPO_ROOT, '../shared/ssm-corpus');

export function corpusAvailable(): boolean {
  return fs.existsSync(path.join(CORPUS_DIR, 'index.json'));
}

export function readCorpusFile(relative: string): string {
  return fs.readFileSync(path.join(CORPUS_DIR, relative), 'utf8');
}

export function readCorpusJson(relative: string): unknown {
  return JSON.parse(readCorpusFile(relative)) as unknown;
}

/** For describe blocks that need the corpus: skips with a note saying why when it is not there. */
export function skipWithoutCorpus(context: Mocha.Context): void {
  if (!corpusAvailable()) {
    console.log(`      (skipped: SSM corpus not found at ${CORPUS_DIR})`);
    context.skip();
  }
}
