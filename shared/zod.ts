import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * `zod/mini` for the schemas the functions parse at run time: the same
 * schemas as classic zod for a fraction of the bytes and of the CPU a cold
 * start spends building them (docs/bundles.md). Classic zod installs its
 * English messages when it builds its first schema; `zod/mini` has none
 * ("Invalid input") until told, so this module tells it, and every runtime
 * schema imports zod through here. It is the one module with an effect at
 * import, declared in package.json `sideEffects` so bundlers keep it.
 */
export * from 'zod/mini';

config(en());
