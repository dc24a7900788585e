#!/usr/bin/env node
// The `npswave` bin: runs the TypeScript entry through tsx, so the tool needs no build step.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// Name our tsconfig explicitly: tsx would otherwise look for one from the caller's working directory.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('./main.ts');
