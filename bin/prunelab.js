#!/usr/bin/env node
// Runs the TypeScript CLI straight from source through tsx, so `npx prunelab …` works right after
// `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main/cli/index.ts');
