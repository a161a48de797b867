import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { JOURNEY_STATE_MACHINE_PREFIX } from './journey-names.ts';

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
