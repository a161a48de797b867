import { describe, expect, it } from 'vitest';
import {
  EVENT_DATA_BYTES,
  executionStatusEntry,
} from '#infra/local/services/stepfunctions/api/status-events.ts';

/** An ended execution whose input and output are `inputBytes` and `outputBytes` of JSON text. */
function ended(inputBytes: number, outputBytes: number) {
  const text = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(Math.max(bytes - 10, 0)) });
  return {
    executionArn: 'arn:aws:states:us-east-1:000000000000:execution:journey-cart:e1',
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:journey-cart',
    machine: 'journey-cart',
    name: 'e1',
    status: 'SUCCEEDED' as const,
    input: text(inputBytes),
    output: text(outputBytes),
    startDate: 1_700_000_000,
    stopDate: 1_700_000_100,
    visited: [],
    transitions: 3,
  };
}

describe('execution status events (local Step Functions)', () => {
  it('carry the input and output while they fit, as AWS does', () => {
    const detail = JSON.parse(executionStatusEntry(ended(1000, 1000)).Detail);
    expect(detail).toMatchObject({ inputDetails: { included: true }, outputDetails: { included: true } });
    expect(JSON.parse(detail.input).pad).toHaveLength(990);
  });

  it('leave both out past 248 KB together, as AWS does', () => {
    // arrange: each half fits an event alone, not both together
    const half = EVENT_DATA_BYTES / 2 + 100;
    // act
    const detail = JSON.parse(executionStatusEntry(ended(half, half)).Detail);
    // assert
    expect(detail).toMatchObject({
      input: null,
      inputDetails: { included: false },
      output: null,
      outputDetails: { included: false },
    });
  });
});
