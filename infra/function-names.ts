/** The functions of `functions/` the stack builds from this list, by folder name (the local runtime runs them too). */
export const FUNCTION_NAMES = [
  'ingest',
  'send-message',
  'evaluate',
  'await-event',
  'deploy-journey',
  'delivery-feedback',
  'execution-status',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/**
 * Functions the stack builds inside their own construct, with the resources
 * only they use: segment-entry comes with its queue, dead-letter queue and
 * schedule group (`infra/constructs/segment-entry.ts`); unsubscribe with its
 * function URL and signing key (`infra/constructs/unsubscribe-endpoint.ts`).
 */
export const CONSTRUCT_FUNCTION_NAMES = ['segment-entry', 'unsubscribe'] as const;

/** Every function of `functions/`: the local runtime loads them all. */
export const ALL_FUNCTION_NAMES = [...FUNCTION_NAMES, ...CONSTRUCT_FUNCTION_NAMES] as const;
export type AnyFunctionName = (typeof ALL_FUNCTION_NAMES)[number];
