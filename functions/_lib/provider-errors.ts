import {
  DeliveryFailedError,
  type JourneyError,
  OutcomeUnknownError,
  ThrottledError,
  TransientError,
} from '#shared/errors.ts';

/**
 * Maps an SES or Pinpoint SDK error to a named journey error by what it
 * proves about the message. Only errors that prove the provider did not
 * accept it (a throttle, a refused or never-established connection) may be
 * retried; an answer that never came or a 5xx after the request went out
 * leaves the message's fate unknown, and resending it risks a duplicate.
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
  'PayloadTooLargeException',
  'MethodNotAllowedException',
]);
/** Socket errors raised before a byte of the request reached the provider. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// @smithy/node-http-handler's connection timeout: the socket never connected, so nothing was sent.
const CONNECT_TIMEOUT = /did not establish a connection/;

function field(error: unknown, key: string): unknown {
  return error !== null && typeof error === 'object' ? Reflect.get(error, key) : undefined;
}

function httpStatus(error: unknown): number | undefined {
  const status = field(field(error, '$metadata'), 'httpStatusCode');
  return typeof status === 'number' ? status : undefined;
}

/** True when the error proves the request never reached the provider. */
function neverSent(error: unknown): boolean {
  const code = field(error, 'code');
  if (typeof code === 'string' && NOT_CONNECTED.has(code)) return true;
  return error instanceof Error && error.name === 'TimeoutError' && CONNECT_TIMEOUT.test(error.message);
}

export function providerError(error: unknown, provider: string): JourneyError {
  const name = error instanceof Error ? error.name : 'Unknown';
  const message = `${provider}: ${error instanceof Error ? error.message : String(error)}`;
  const status = httpStatus(error);
  if (THROTTLING.has(name) || status === 429) return new ThrottledError(message);
  if (neverSent(error)) return new TransientError(`${message} (not sent)`);
  if (PERMANENT.has(name) || (status !== undefined && status >= 400 && status < 500))
    return new DeliveryFailedError(message);
  return new OutcomeUnknownError(message);
}
