#!/usr/bin/env node
// `tender-agent`: the host agent (oclif; commands in ../dist/src/commands).
import v8 from 'node:v8';

// A long-running agent spends its life idle, waiting on a socket; the work it does for commands runs in
// child processes, and its cryptography is native. V8's lite mode (no optimising compiler, lazier
// allocation) cuts its resident memory by about a third (see `npm run bench -- agent`). It must be set
// before any other module loads. TENDER_AGENT_FULL_JIT=1 turns it off.
if (process.argv[2] === 'start' && process.env.TENDER_AGENT_FULL_JIT !== '1') v8.setFlagsFromString('--lite-mode');

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
