#!/usr/bin/env node
// `tender`: the control plane and admin CLI (oclif; commands in ../dist/src/commands).
import { execute } from '@oclif/core';

// The AWS SDK warns on every run that its releases after January 2027 need Node 22; the lockfile pins a
// release that supports Node 20, so the warning only adds noise to a CLI's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

await execute({ dir: import.meta.url });
