import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordedCommand } from '@tender/patch-baseline/testing';

export { replayContext, type RecordedCommand as Recorded } from '@tender/patch-baseline/testing';

/** The fixtures are not compiled: reach them in the source tree from dist/test/. */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures');
export const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
export const recordedRun = (name: string): RecordedCommand[] => JSON.parse(fixture(name)) as RecordedCommand[];
