import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { maskText } from '#shared/mask.ts';

/**
 * One logger and one metrics object per function. Every string in every log
 * line goes through the masking replacer, so an email or phone number logged
 * by mistake (or inside an error message) never reaches CloudWatch in clear.
 */
export const logger = new Logger({
  jsonReplacerFn: (_key: string, value: unknown) => (typeof value === 'string' ? maskText(value) : value),
});

/**
 * Metrics' own warnings go through the logger: structured, masked, and
 * filtered by POWERTOOLS_LOG_LEVEL like every other line, instead of raw
 * console output.
 */
export const metrics = new Metrics({ logger });
