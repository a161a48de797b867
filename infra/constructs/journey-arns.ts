import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Journey state machines are named `journey-<id>` (see the journey schema's `id`). */
export const JOURNEY_STATE_MACHINE_PREFIX = 'journey-';

/** Every journey state machine, its versions (`:<n>`) and its aliases (`:live`). */
export function journeyStateMachinesArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: `${JOURNEY_STATE_MACHINE_PREFIX}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Every execution of a journey state machine, whichever version or alias started it. */
export function journeyExecutionsArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${JOURNEY_STATE_MACHINE_PREFIX}*:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
