/**
 * Client settings of the send clients (SES v2, Pinpoint). The SDK's own
 * retries would resend a message whose first request reached the provider
 * (a 500 or a timeout after acceptance): a customer gets it twice. So each
 * call is one attempt; Step Functions retries only what proves the message
 * was not accepted (shared/errors.ts). A request that never gets an answer
 * fails after `requestTimeoutMs` (well inside the function timeout) as
 * "outcome unknown" rather than hanging until the function is killed.
 */
export type SendClientTimeouts = { connectionTimeoutMs: number; requestTimeoutMs: number };

const SEND_CLIENT_TIMEOUTS: SendClientTimeouts = {
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
};

export function sendClientConfig(timeouts: SendClientTimeouts = SEND_CLIENT_TIMEOUTS) {
  return {
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      // Without it the handler only logs a warning and keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
}
