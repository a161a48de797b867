import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Waiter } from '#shared/profile/state.ts';
import type { EnrollmentItems, OwedCount } from './enrollment-items.ts';
import { recordReceived } from './enrollments.ts';
import { resumeTask } from './sfn-errors.ts';
import type { StatsRepository } from './stats.ts';

export type ResumeDeps = {
  enrollments: Pick<EnrollmentItems, 'markReceived' | 'waitersFor'>;
  stats: Pick<StatsRepository, 'recordReceived'>;
  sfn: SFNClient;
  now: () => Date;
};

/**
 * How resuming a waiting step ended:
 * - `resumed`: this call resumed it, and the event is counted received;
 * - `answered`: an earlier attempt resumed it (its invocation died before
 *   it knew), and the event is counted received;
 * - `closed`: nothing was resumed (the step timed out, its execution ended,
 *   or a newer registration replaced it): not counted;
 * - `unsure`: an earlier attempt may have resumed it, and the step's timeout
 *   has passed, so Step Functions' answer cannot tell which: the waiter is
 *   kept, for the step's timeout path to remove uncounted, or for the end of
 *   the execution to count it (a step that timed out has its waiter removed
 *   before then).
 */
export type ResumeOutcome = 'resumed' | 'answered' | 'closed' | 'unsure';

/**
 * Resumes a waiting step with `output` and counts the event received, once.
 *
 * The mark goes on the waiter before SendTaskSuccess: an invocation that
 * dies after the call landed, before it could mark or count, leaves the
 * mark, and the retry, told the token is closed, finds it. A token closed
 * before the step's timeout was closed by a resume (every resume marks
 * first), so the retry counts it; the count is guarded by the registration's
 * id, so whichever attempts count it, it is counted once.
 */
export async function resumeWaiter(
  deps: ResumeDeps,
  userId: string,
  waiter: Waiter,
  output: string,
): Promise<ResumeOutcome> {
  const owed = await markOrFind(deps, userId, waiter);
  if (owed === undefined) return 'closed';
  const resumed = await resumeTask(deps.sfn, waiter.token, output);
  const beforeTimeout = deps.now().getTime() < Date.parse(waiter.expiresAt);
  if (!resumed && !(owed.retry && beforeTimeout)) return owed.retry ? 'unsure' : 'closed';
  await recordReceived(deps.stats, waiter, owed);
  return resumed ? 'resumed' : 'answered';
}

/**
 * The count this attempt owes: its own new mark, or the mark an earlier
 * attempt (this delivery's, or another's racing it) left on the same
 * registration. Undefined when the waiter is gone or holds another token.
 */
async function markOrFind(deps: ResumeDeps, userId: string, waiter: Waiter): Promise<OwedCount | undefined> {
  if (waiter.receivedPending !== undefined) return { pendingAt: waiter.receivedPending, retry: true };
  const marked = await deps.enrollments.markReceived(userId, waiter);
  if (marked !== undefined) return marked;
  const stored = (await deps.enrollments.waitersFor(userId, waiter.event)).find(
    (w) => w.enrollmentId === waiter.enrollmentId && w.stepId === waiter.stepId && w.token === waiter.token,
  );
  const pendingAt = stored?.receivedPending;
  return pendingAt === undefined ? undefined : { pendingAt, retry: true };
}
