#!/usr/bin/env node
// The `journeys` command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./main.ts');
await run(process.argv);
