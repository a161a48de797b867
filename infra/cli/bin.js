#!/usr/bin/env node
// The `journeys` command. It runs the CLI's prebuilt bundle when that was
// built from the sources as they are now (bundle/cache.js): Node.js loads a
// few JavaScript files instead of compiling ~170 TypeScript modules at every
// start. Otherwise (never built, or a source changed since) it runs the
// sources through tsx's loader, so no one runs stale code; `npm test`,
// `npm start` and `npm install` build the bundle again.
import module from 'node:module';
import { cacheDir, freshEntry } from './bundle/cache.js';

const bundle = freshEntry(cacheDir());
if (bundle === undefined) {
  const { register } = await import('tsx/esm/api');
  register();
} else {
  // Node.js >= 22.1 keeps the code it compiled for ES modules between runs (main.mjs); the
  // commands' bundles bring their own (bundle/command-bundle.ts), as Node.js 20 has no such cache.
  module.enableCompileCache?.();
}
const { run } = await import(bundle ?? './main.ts');
await run(process.argv);
