import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { ScheduleAction } from '#shared/segment/schedule.ts';

/**
 * Carries out a schedule decision of `shared/segment/schedule.ts` on
 * EventBridge Scheduler: the schedule invokes the segment-entry function,
 * through a role that may invoke only that function.
 */

export type ScheduleConfig = {
  scheduler: SchedulerClient;
  groupName: string;
  /** The segment-entry function the schedule invokes. */
  targetArn: string;
  /** The role Scheduler assumes to invoke it. */
  roleArn: string;
  /** The queue a run goes to when Scheduler could not invoke segment-entry after its retries. */
  deadLetterArn?: string;
};

function named(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

async function upsert(config: ScheduleConfig, action: Extract<ScheduleAction, { kind: 'upsert' }>) {
  const request = {
    Name: action.name,
    GroupName: config.groupName,
    ScheduleExpression: action.expression,
    ...(action.timezone === undefined ? {} : { ScheduleExpressionTimezone: action.timezone }),
    State: action.enabled ? ('ENABLED' as const) : ('DISABLED' as const),
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    Description: 'Segment entry of a journey (managed by deploy-journey)',
    Target: {
      Arn: config.targetArn,
      RoleArn: config.roleArn,
      Input: action.input,
      // A run is idempotent (same scheduled time, same enrollment names): retrying is safe.
      RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
      // Without it a run Scheduler could not hand over (throttled, refused) would be dropped unseen.
      ...(config.deadLetterArn === undefined ? {} : { DeadLetterConfig: { Arn: config.deadLetterArn } }),
    },
  };
  // UpdateSchedule replaces every setting, so it is create-or-replace in two calls at most.
  try {
    await config.scheduler.send(new UpdateScheduleCommand(request));
    return;
  } catch (error) {
    if (!named(error, 'ResourceNotFoundException')) throw error;
  }
  try {
    await config.scheduler.send(new CreateScheduleCommand(request));
  } catch (error) {
    // A concurrent deploy created it in between: replace it.
    if (!named(error, 'ConflictException')) throw error;
    await config.scheduler.send(new UpdateScheduleCommand(request));
  }
}

/** Applies a schedule decision; deleting a schedule that is already gone is success. */
export async function applySchedule(config: ScheduleConfig, action: ScheduleAction): Promise<void> {
  if (action.kind === 'none') return;
  if (action.kind === 'upsert') return upsert(config, action);
  try {
    await config.scheduler.send(
      new DeleteScheduleCommand({ Name: action.name, GroupName: config.groupName }),
    );
  } catch (error) {
    if (!named(error, 'ResourceNotFoundException')) throw error;
  }
}
