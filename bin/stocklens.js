#!/usr/bin/env node
// Entry point of the `stocklens` command: the build `npm install` compiled (bin/compile-cli.js)
// while it is current with the sources, else the TypeScript itself through tsx's loader.
import { currentCompiledCli } from './compile-cli.js';

const compiled = currentCompiledCli();
if (compiled) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}
