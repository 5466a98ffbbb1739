/**
 * ListDocuments on a control plane holding --documents (default 500, SSM's per-account limit) documents of
 * --versions (default 10) versions each, every version's content about --kb (default 20) KB: the time of a page of
 * 50 through the SDK, beside DescribeDocument of one document (the cost of a call that reads one record), in the
 * same run. ListDocuments reads every document's record to filter and sort them; it should cost a few times a
 * single read, not a copy of every version's content.
 * `npm run bench -- documents [--documents 500] [--versions 10] [--kb 20]`. Prints figures; asserts nothing about speed.
 */
import { CreateDocumentCommand, DescribeDocumentCommand, ListDocumentsCommand, UpdateDocumentCommand, UpdateDocumentDefaultVersionCommand } from '@aws-sdk/client-ssm';
import { startTestControlPlane } from '../support/control-plane.js';
import { numberOption } from './options.js';

export async function run(args: string[]): Promise<void> {
  const documents = numberOption(args, 'documents', 500);
  const versions = numberOption(args, 'versions', 10);
  const kb = numberOption(args, 'kb', 20);
  const cp = await startTestControlPlane({});
  try {
    const content = (n: number, v: number) =>
      JSON.stringify({ schemaVersion: '2.2', description: `bench ${n}.${v}`, mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: Array.from({ length: Math.ceil((kb * 1024) / 40) }, (_, line) => `echo line ${line} of version ${v} ..........`) } }] });
    const started = performance.now();
    for (let n = 0; n < documents; n++) {
      const Name = `bench-${String(n).padStart(4, '0')}`;
      await cp.ssm.send(new CreateDocumentCommand({ Name, Content: content(n, 1), DocumentType: 'Command' }));
      for (let v = 2; v <= versions; v++) await cp.ssm.send(new UpdateDocumentCommand({ Name, Content: content(n, v), DocumentVersion: '$LATEST' }));
      if (versions > 1) await cp.ssm.send(new UpdateDocumentDefaultVersionCommand({ Name, DocumentVersion: String(versions) }));
    }
    console.log(`${documents} documents × ${versions} versions of ~${kb} KB stored in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const calls = 20;
    for (const [label, call] of [
      ['DescribeDocument, one document', () => cp.ssm.send(new DescribeDocumentCommand({ Name: 'bench-0007' }))],
      ['ListDocuments, a page of 50 (Owner Self)', () => cp.ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'Owner', Values: ['Self'] }], MaxResults: 50 }))],
      ['ListDocuments, a page of 50 (every owner)', () => cp.ssm.send(new ListDocumentsCommand({ MaxResults: 50 }))],
    ] as const) {
      await call();
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) await call();
      console.log(`  ${label.padEnd(46)} ${((performance.now() - t0) / calls).toFixed(1).padStart(8)} ms a call (average of ${calls})`);
    }
  } finally {
    await cp.stop();
  }
}
