/**
 * What Pinpoint SendMessages says about each device token of a push, and
 * what that means for the token: kept, removed from the profile (the device
 * is gone or the token was never valid), or replaced by the token the push
 * service gave instead. Pure; send-message applies it.
 */

/** Why a token is removed: a bounded code, counted in stats. */
const DEAD_TOKEN_REASONS = ['unregistered', 'invalidToken'] as const;
type DeadTokenReason = (typeof DEAD_TOKEN_REASONS)[number];

/**
 * What a push's token results add to its step's counters: tokens removed, by
 * reason, and tokens replaced. Bounded: fixed keys, small numbers.
 */
export type TokenCounts = { unregistered?: number; invalidToken?: number; replaced?: number };

/** The counts of a push's token outcomes; undefined when every token is kept. */
export function tokenCounts(outcomes: readonly TokenOutcome[]): TokenCounts | undefined {
  const counts: TokenCounts = {};
  let any = false;
  for (const outcome of outcomes) {
    if (outcome.action === 'keep') continue;
    const key = outcome.action === 'replace' ? 'replaced' : outcome.reason;
    counts[key] = (counts[key] ?? 0) + 1;
    any = true;
  }
  return any ? counts : undefined;
}

/** Two sets of token counts added up (undefined when neither has any). */
export function addTokenCounts(a?: TokenCounts, b?: TokenCounts): TokenCounts | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const sum: TokenCounts = {};
  for (const key of ['unregistered', 'invalidToken', 'replaced'] as const) {
    const total = (a[key] ?? 0) + (b[key] ?? 0);
    if (total > 0) sum[key] = total;
  }
  return sum;
}

/** One address's result in a SendMessages response (`MessageResponse.Result[address]`). */
export type PushResult = {
  DeliveryStatus?: string;
  StatusCode?: number;
  StatusMessage?: string;
  MessageId?: string;
  UpdatedToken?: string;
};

export type TokenOutcome = {
  token: string;
  status: string;
  statusCode?: number;
} & (
  | { action: 'keep' }
  | { action: 'remove'; reason: DeadTokenReason }
  | { action: 'replace'; updatedToken: string }
);

/** APNs 410 Unregistered; FCM HTTP v1 404 UNREGISTERED. */
const UNREGISTERED_CODES = new Set([404, 410]);
const UNREGISTERED = /unregistered|not ?registered|expired/i;
const INVALID =
  /invalid ?registration|bad ?device ?token|invalid[\s_-]*(device[\s_-]*)?token|not a valid .*token|mismatch ?sender ?id|device ?token ?not ?for ?topic/i;

/** The outcome of each token sent to (a token with no result is kept). */
export function tokenOutcomes(
  tokens: readonly string[],
  results: Readonly<Record<string, PushResult>>,
): TokenOutcome[] {
  return tokens.map((token) => {
    const result = Object.hasOwn(results, token) ? results[token] : undefined;
    const status = result?.DeliveryStatus ?? 'NO_RESULT';
    const base = {
      token,
      status,
      ...(result?.StatusCode === undefined ? {} : { statusCode: result.StatusCode }),
    };
    const message = result?.StatusMessage ?? '';
    // Only a permanent failure about the token itself removes it: a payload the service refused is not the device's fault.
    if (status === 'PERMANENT_FAILURE') {
      if (UNREGISTERED_CODES.has(result?.StatusCode ?? 0) || UNREGISTERED.test(message))
        return { ...base, action: 'remove', reason: 'unregistered' };
      if (INVALID.test(message)) return { ...base, action: 'remove', reason: 'invalidToken' };
    }
    const updated = result?.UpdatedToken;
    if (typeof updated === 'string' && updated !== '' && updated !== token)
      return { ...base, action: 'replace', updatedToken: updated };
    return { ...base, action: 'keep' };
  });
}
