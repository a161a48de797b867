/**
 * AWS list prices the forecast uses (US East (N. Virginia), on-demand, no
 * free tier), printed with every forecast so a reader can redo the sums.
 * SMS is the US base price per message part without carrier fees; other
 * countries differ widely.
 */
export const PRICES = {
  stepFunctionsPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  /** arm64, per GB-second. */
  lambdaPerGbSecond: 0.0000133334,
  dynamoPerWriteUnit: 0.625 / 1_000_000,
  dynamoPerReadUnit: 0.125 / 1_000_000,
  eventBridgePerEvent: 1 / 1_000_000,
  sesPerEmail: 0.1 / 1000,
  smsPerPart: 0.00581,
  pushPerMessage: 1 / 1_000_000,
} as const;

/** Assumed Lambda memory and average billed duration per invocation (measured handler times are far lower in process). */
export const LAMBDA_PROFILE = { memoryGb: 0.5, averageMs: 60 } as const;

export const PRICES_NOTE =
  'US East (N. Virginia) list prices, on-demand, no free tier; SMS = US base price per part, carrier fees excluded; Lambda at 512 MB, 60 ms billed per invocation (assumed).';
