import { JOURNEY_EVENT_SOURCE } from '#shared/event-sources.ts';
import type { StepOf } from '../schema.ts';
import type { TaskState } from './asl.ts';
import type { StepRenderer } from './context.ts';
import { failureRoute } from './failure.ts';
import { RETRY, retryCatch } from './retry.ts';
import { valueParameters } from './values.ts';

/** The EventBridge integration that puts events on a bus, straight from the state machine. */
export const PUT_EVENTS_RESOURCE = 'arn:aws:states:::events:putEvents';

/**
 * emit: one `events:putEvents` entry — source journeys.journey, detail-type
 * the step's event, detail { journeyId, userId, stepId, properties }. When
 * the bus keeps refusing it, the failure policy applies.
 */
export const renderEmit: StepRenderer<StepOf<'emit'>> = (id, step, ctx) => {
  const failure = failureRoute(id, step.onFailure, step.next, ctx, 'event not emitted', { count: true });
  const task: TaskState = {
    Type: 'Task',
    ...(step.label === undefined ? {} : { Comment: step.label }),
    Resource: PUT_EVENTS_RESOURCE,
    Parameters: {
      Entries: [
        {
          Source: JOURNEY_EVENT_SOURCE,
          DetailType: step.event,
          EventBusName: ctx.bindings.eventBusName,
          Detail: {
            journeyId: ctx.journey.id,
            'journeyVersion.$': '$.journeyVersion',
            'enrollmentId.$': '$.enrollmentId',
            'userId.$': '$.userId',
            stepId: id,
            properties: valueParameters(step.properties ?? {}),
          },
        },
      ],
    },
    ResultPath: null,
    ...retryCatch(RETRY.eventBridge, [failure.rule]),
    Next: step.next,
  };
  return [[id, task], ...failure.states];
};
