import { describe, expect, it } from 'vitest';
import { errorMetric } from '#functions/send-message/error-metric.ts';
import { OutcomeUnrecordedError } from '#functions/send-message/send.ts';
import {
  DeferredError,
  DeliveryFailedError,
  OutcomeUnknownError,
  TemplateFailedError,
  ThrottledError,
  TransientError,
} from '#shared/errors.ts';

describe('the message metric a send-message error counts', () => {
  it.each([
    // Counted by the write that records the outcome as unknown (once), not by the error that reports it.
    ['an unknown outcome (retried at-least-once)', new OutcomeUnknownError('SES: 500'), undefined],
    ['an outcome not recorded after the provider call', new OutcomeUnrecordedError('table down'), undefined],
    ['a refusal', new DeliveryFailedError('MessageRejected'), 'failed'],
    ['a template that does not render', new TemplateFailedError('missing name'), 'failed'],
    ['a deferral, which is no failure', new DeferredError('2026-11-24T10:00:00.000Z'), undefined],
    ['a throttle, which a retry settles', new ThrottledError('429'), undefined],
    ['a transient failure, likewise', new TransientError('reset'), undefined],
    ['an error no one named', new Error('bug'), undefined],
  ])('%s', (_name, error, metric) => {
    expect(errorMetric(error)).toBe(metric);
  });
});
