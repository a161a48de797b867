// First, before any module of the local runtime: a handler module, as a test that reads a repository loads it.

import { expect, it, vi } from 'vitest';
import { metrics } from '#functions/_lib/observability.ts';

/**
 * The handlers' metrics read POWERTOOLS_METRICS_DISABLED once, when their
 * module loads, and the workers of the runtimes' tests share their modules
 * (vitest.config.ts): loaded on, they would print an EMF line per invocation
 * into the run's log for every later file of the worker. Off, as in the local
 * runtime, whichever file loads them first.
 */
it('keeps the handlers’ metrics off in the runtimes’ workers, whatever module loads them first', () => {
  // arrange
  const written: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });

  // act: what a handler's invocation ends with
  try {
    metrics.addMetric('QuietCheck', 'Count', 1);
    metrics.publishStoredMetrics();
  } finally {
    write.mockRestore();
  }

  // assert
  expect(written.filter((line) => line.includes('"_aws"'))).toEqual([]);
});
