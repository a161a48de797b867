import { DeliveryFailedError, type JourneyError, ThrottledError, TransientError } from '#shared/errors.ts';

/**
 * Maps an SES or Pinpoint SDK error to a named journey error, so the
 * compiled Retry/Catch can tell "retry with backoff" from "will never work".
 */
const THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'SendingQuotaExceeded',
  'MaxSendingRateExceeded',
]);
const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'BadRequestException',
  'NotFoundException',
  'ForbiddenException',
]);

export function providerError(error: unknown, provider: string): JourneyError {
  const name = error instanceof Error ? error.name : 'Unknown';
  const message = `${provider}: ${error instanceof Error ? error.message : String(error)}`;
  if (THROTTLING.has(name)) return new ThrottledError(message);
  if (PERMANENT.has(name)) return new DeliveryFailedError(message);
  return new TransientError(message);
}

/** True when the provider certainly did not accept the message (safe to try again). */
export function certainlyNotSent(error: JourneyError): boolean {
  return error.name !== 'Journeys.Transient';
}
