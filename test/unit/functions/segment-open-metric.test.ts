import { describe, expect, it } from 'vitest';
import { publishOpenExecutions } from '#functions/segment-entry/open-metric.ts';

describe('segment-entry: the open-executions metric after a batch', () => {
  it('does not fail a batch whose work is done when the count cannot be read (SQS would deliver all of it again)', async () => {
    // arrange: the stats table throttles the count's queries
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const openExecutions = { count: () => Promise.reject(throttled) };
    // act / assert
    await expect(publishOpenExecutions({ openExecutions })).resolves.toBeUndefined();
  });
});
