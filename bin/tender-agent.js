#!/usr/bin/env node
// Launcher for a source checkout: `node bin/tender-agent.js ...` (build first: npm run build).
import '../packages/agent/bin/run.js';
