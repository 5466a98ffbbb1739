#!/usr/bin/env node
// `tender-agent`: the host agent (oclif; commands in ../dist/src/commands).
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
