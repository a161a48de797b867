import fc from 'fast-check';

/**
 * Property tests draw the same inputs on every run, so a verdict is the code's
 * and never the luck of the day's seed: CI passes or fails on what changed.
 * To explore other inputs, run with another seed (`FC_SEED=123 npx vitest run
 * test/unit/time.test.ts`) and keep any counterexample it finds as an example test.
 */
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261201) });
