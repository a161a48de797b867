import { defineConfig } from 'vitest/config';
import ProjectOrderSequencer from './test/support/project-order.ts';

/**
 * Six projects. Tests that keep no process-wide state share their workers'
 * module cache (`isolate: false`): pure units, synthesized stacks, the
 * offline interpreter and the Step Functions stand-in take their clients as
 * arguments, and importing zod, the compiler, the SDK or aws-cdk-lib once per
 * worker instead of once per file more than halves their time.
 */
const SHARED = [
  'test/unit/**/*.test.ts',
  'test/infra/**/*.test.ts',
  'test/integration/offline/**/*.test.ts',
  'test/integration/local/**/*.test.ts',
  'test/integration/choice-parity.test.ts',
];

/**
 * CDK's CloudFormation validation, in workers of its own. Its engine (9 MB of
 * WebAssembly) grows its memory 64 KB at a time to about 160 MB while it
 * starts, and V8 counts each grown memory as new external memory: past 64 MB
 * every growth starts a full garbage collection, about a thousand of them.
 * With the collector's helper threads each costs far more CPU than the little
 * it collects; on the worker's own thread (--single-threaded-gc) the engine
 * starts for about a quarter of the CPU. Other files collect more per
 * collection and lose by it (about a tenth more CPU for the shared files), so
 * the flag is this project's alone.
 */
const VALIDATION = ['test/infra/cloudformation-validation.test.ts'];

/**
 * Handler tests inject their repositories and clients, so they too share a
 * module cache, in workers of their own: they stub SDK client classes
 * (aws-sdk-client-mock), which must not reach the stand-ins' real clients.
 * One calls handlers through their Lambda entry points, whose clients and
 * config live per process: it stays isolated.
 */
const HANDLERS = ['test/integration/functions/!(handlers).test.ts'];

/**
 * The CLI's commands called in-process, and the simulation: they start no
 * local runtime, so no handler keeps clients or config pointing at one; the
 * program can be parsed again and again. They share a module cache in
 * workers of their own: the CLI's modules set the handlers' log level for
 * the process (quiet-handlers.ts), which the unit tests must not inherit.
 * `journeys test` starts runtimes in-process (journeys-test*.test.ts): with the runtimes.
 */
const COMMANDS = ['test/integration/cli/!(journeys-test*).test.ts', 'test/integration/simulate/**/*.test.ts'];

/**
 * Tests that run local runtimes, in-process: they too share a module cache,
 * in workers of their own. Each `startLocal` is a cold start of every
 * handler (functions/_lib/cold-start.ts), so a runtime a file starts never
 * sees the clients, config or keys of one an earlier file started; the
 * interpreters of journeys already deployed in the worker are reused.
 */
const RUNTIMES = ['test/e2e/**/*.test.ts', 'test/integration/cli/journeys-test*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Transformed modules kept on disk (node_modules/.experimental-vitest-cache, keyed by each file's
    // content and the config): a run transforms only the files changed since the last, not every
    // module once per project. test/suite.ts keeps it bounded.
    experimental: { fsModuleCache: true },
    hookTimeout: 60_000,
    // Both cores: the default (cores − 1) runs one file at a time on a 2-core machine.
    maxWorkers: 2,
    setupFiles: ['test/support/cpu-time.ts', 'test/support/property-seed.ts'],
    reporters: ['default', './test/support/slowest-reporter.ts'],
    env: {
      // The AWS SDK warns once per process that Node 20 support ends in 2027; Lambda runs Node 22.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Handlers the tests call log as in the local runtime (warnings and errors) and name their
      // metrics' namespace as the stack does: the run's output is the tests' verdicts.
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_NAMESPACE: 'Journeys',
    },
    // The projects run in this order (project-order.ts): the one whose longest file runs longest
    // first, the one of many short files last, which fill both workers until the end.
    sequence: { sequencer: ProjectOrderSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'runtimes',
          include: RUNTIMES,
          isolate: false,
          // As the local runtime's entry sets them (quiet-handlers.ts), before any file of the worker loads
          // a handler module: the handlers' metrics read it once, when they load, and a file that imports
          // a repository before the runtime would otherwise turn them on for every later file of its worker.
          env: { POWERTOOLS_METRICS_DISABLED: 'true' },
        },
      },
      {
        extends: true,
        test: {
          name: 'validation',
          include: VALIDATION,
          // WebAssembly compiled by V8's baseline compiler only: optimizing the validation engine in the
          // background costs more CPU than its few templates gain from the optimized code.
          execArgv: ['--liftoff-only', '--single-threaded-gc'],
        },
      },
      { extends: true, test: { name: 'commands', include: COMMANDS, isolate: false } },
      { extends: true, test: { name: 'handlers', include: HANDLERS, isolate: false } },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ['test/**/*.test.ts'],
          exclude: [...SHARED, ...VALIDATION, ...HANDLERS, ...COMMANDS, ...RUNTIMES],
        },
      },
      {
        extends: true,
        test: {
          name: 'shared',
          include: SHARED,
          exclude: VALIDATION,
          isolate: false,
        },
      },
    ],
  },
});
