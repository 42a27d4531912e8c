#!/usr/bin/env node
// Entry point of the `stocklens` command: TypeScript runs through tsx's loader, no build step to remember.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
