import { defineConfig } from 'vitest/config';

/**
 * Two projects. Pure and synthesized-stack tests share their workers' module
 * cache (`isolate: false`): they hold no process-wide state, and importing
 * zod, the journey compiler or aws-cdk-lib once per worker instead of once
 * per file more than halves their time. Tests that run handlers, the local
 * runtime or the CLI keep a fresh module graph per file: handlers keep their
 * clients and config per process, as in Lambda.
 */
const SHARED = ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    setupFiles: ['test/support/cpu-time.ts'],
    reporters: ['default', './test/support/slowest-reporter.ts'],
    hookTimeout: 60_000,
    // The AWS SDK warns once per process that Node 20 support ends in 2027; Lambda runs Node 22.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'shared', include: SHARED, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ['test/**/*.test.ts'], exclude: SHARED } },
    ],
  },
});
