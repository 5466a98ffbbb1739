#!/usr/bin/env node
// Launcher for a source checkout: `node bin/tender.js ...` (build first: npm run build).
import '../packages/cli/bin/run.js';
