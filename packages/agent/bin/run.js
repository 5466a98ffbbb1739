#!/usr/bin/env node
// `tender-agent`: the host agent (oclif; commands in ../dist/src/commands).
import v8 from 'node:v8';

// A long-running agent spends its life idle, waiting on a socket; the work it does for commands runs in
// child processes, and its cryptography is native. V8's lite mode (no optimising compiler, lazier
// allocation) cuts its resident memory by about a third (see `npm run bench -- agent`). It must be set
// before any other module loads. TENDER_AGENT_FULL_JIT=1 turns it off.
if (process.argv[2] === 'start' && process.env.TENDER_AGENT_FULL_JIT !== '1') v8.setFlagsFromString('--lite-mode');

// A well-formed `start` runs without oclif (about 5 MB less for the agent's whole life); anything else, help and
// mistakes included, is oclif's to parse and explain (see src/cli/start-options.ts).
const direct = process.argv[2] === 'start' ? await (await import('../dist/src/cli/start-options.js')).startWithoutOclif(process.argv.slice(3)) : undefined;
if (direct !== undefined) {
  process.exitCode = direct;
} else {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
