import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface AuditLine {
  seq: number;
  caller: string;
  operation: string;
  outcome: string;
  errorCode?: string;
  resources: string[];
  detail?: string;
}

/** The records of a control plane's audit trail, read straight from its file. */
export async function readAudit(dataDir: string): Promise<AuditLine[]> {
  const text = await fs.readFile(path.join(dataDir, 'audit.log'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditLine);
}
