/** The functions of `functions/`, by folder name: the stack deploys them, the local runtime runs them. */
export const FUNCTION_NAMES = [
  'ingest',
  'send-message',
  'evaluate',
  'await-event',
  'deploy-journey',
  'delivery-feedback',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];
